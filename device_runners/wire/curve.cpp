#include "device_runners/wire/curve.h"

#include <sys/stat.h>
#include <zmq.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/errors.h"

namespace nas {
namespace {

bool is_z85_key(const std::string& key) {
  if (key.size() != 40) return false;
  std::uint8_t raw[32];
  return zmq_z85_decode(raw, key.c_str()) != nullptr;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error("key file " + path + ": cannot be read");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

CurveKeyPair generate_curve_keys() {
  char public_key[41], secret_key[41];
  if (zmq_curve_keypair(public_key, secret_key) != 0) {
    throw Error("cannot generate CURVE keys: libzmq was built without CURVE support");
  }
  return {public_key, secret_key};
}

void write_curve_keys(const std::string& dir, const std::string& name, const CurveKeyPair& keys) {
  namespace fs = std::filesystem;
  fs::create_directories(dir);
  const fs::path public_path = fs::path(dir) / (name + ".key");
  const fs::path secret_path = fs::path(dir) / (name + ".key_secret");
  for (const auto& p : {public_path, secret_path}) {
    if (fs::exists(p)) throw Error("key file " + p.string() + " exists already; not overwritten");
  }
  {
    std::ofstream out(public_path);
    out << keys.public_key << "\n";
    if (!out.flush()) throw Error("key file " + public_path.string() + ": cannot be written");
  }
  {
    // Create the secret file readable by its owner only before writing to it.
    std::ofstream out(secret_path);
    ::chmod(secret_path.c_str(), S_IRUSR | S_IWUSR);
    out << "public " << keys.public_key << "\nsecret " << keys.secret_key << "\n";
    if (!out.flush()) throw Error("key file " + secret_path.string() + ": cannot be written");
  }
}

CurveKeyPair read_secret_keys(const std::string& path) {
  std::istringstream in(read_text(path));
  CurveKeyPair keys;
  std::string word, value;
  while (in >> word >> value) {
    if (word == "public") keys.public_key = value;
    else if (word == "secret") keys.secret_key = value;
  }
  if (!is_z85_key(keys.public_key) || !is_z85_key(keys.secret_key)) {
    throw Error("key file " + path +
                ": expected lines 'public <key>' and 'secret <key>' with 40-character Z85 keys "
                "(make one with `nas keygen`)");
  }
  return keys;
}

std::string read_public_key(const std::string& path) {
  std::istringstream in(read_text(path));
  std::string first, second;
  in >> first;
  if (first == "public") in >> first;
  (void)second;
  if (!is_z85_key(first)) {
    throw Error("key file " + path + ": expected a 40-character Z85 public key");
  }
  return first;
}

std::set<std::string> read_authorized_keys(const std::string& dir) {
  std::set<std::string> keys;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    throw Error("authorized keys: " + dir + " is not a folder");
  }
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".key") keys.insert(read_public_key(entry.path().string()));
  }
  return keys;
}

}  // namespace nas
