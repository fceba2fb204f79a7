// Reading the small text files of sysfs (and of test trees that imitate it).
// Internal to device_runners: the meters and read_environment() use it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace nas::sysfs {

// The file's content without trailing whitespace. Throws nas::Error naming
// the file and the reason (missing, permission denied...).
std::string read_text(const std::string& path);

// As read_text(), but nullopt when the file cannot be read.
std::optional<std::string> try_read_text(const std::string& path);

// The file holds one decimal number (an integer or not). Throws nas::Error
// naming the file when it cannot be read or does not hold a number.
double read_number(const std::string& path);
std::uint64_t read_unsigned(const std::string& path);

// As above, nullopt when the file is missing, unreadable or not a number.
std::optional<double> try_read_number(const std::string& path);

bool exists(const std::string& path);

}  // namespace nas::sysfs
