// Errors raised by nas. Every message is meant for the user: it says what is
// wrong and where, so that `cli` can print it as one line.
#pragma once

#include <stdexcept>
#include <string>

namespace nas {

// Base of every error nas raises on purpose. Third-party exceptions
// (nlohmann::json, SQLite codes, zmq::error_t, c10::Error) are caught where
// they enter our code and re-raised as one of these, with context.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A configuration that cannot be used. `path()` is where the problem is: a
// JSON pointer such as "/search/population", or "file:line:column" for a
// syntax error. what() is "<path>: <problem>". The CLI exits with status 2.
class ConfigError : public Error {
 public:
  ConfigError(std::string path, const std::string& problem)
      : Error(path + ": " + problem), path_(std::move(path)) {}
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Bad use of an interface or a command (wrong arguments, unknown names).
// The CLI exits with status 2, as for configuration errors.
class UsageError : public Error {
 public:
  using Error::Error;
};

}  // namespace nas
