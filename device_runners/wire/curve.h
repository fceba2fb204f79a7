// CURVE security for the farm: key pairs on disk, and the folders of public
// keys through which the broker admits runners and clients.
#pragma once

#include <set>
#include <string>

namespace nas {

struct CurveKeyPair {
  std::string public_key;  // Z85, 40 characters
  std::string secret_key;  // Z85, 40 characters
};

// A fresh key pair (libzmq's zmq_curve_keypair). Throws nas::Error if libzmq
// was built without CURVE.
CurveKeyPair generate_curve_keys();

// Writes DIR/NAME.key (the public key, one line: give it to the other side)
// and DIR/NAME.key_secret (both keys, readable by the owner only). Refuses to
// overwrite existing files.
void write_curve_keys(const std::string& dir, const std::string& name, const CurveKeyPair& keys);

// Reads a .key_secret file written by write_curve_keys. Throws nas::Error
// naming the file when it is missing or malformed.
CurveKeyPair read_secret_keys(const std::string& path);

// Reads a public key: a .key file, or a .key_secret file (its public part).
std::string read_public_key(const std::string& path);

// The public keys of every *.key file in `dir`. Throws nas::Error naming a
// malformed file, or a folder that is missing (a typo must not start a
// broker that refuses everyone); an empty folder authorizes no one.
std::set<std::string> read_authorized_keys(const std::string& dir);

}  // namespace nas
