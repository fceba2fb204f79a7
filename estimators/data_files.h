// Where nas finds the data files it ships (the NAS-Bench-201 table).
#pragma once

#include <string>

namespace nas {

// The path of a shipped file given relative to the project root, e.g.
// "estimators/data/nb201_acc_latency.csv.gz". Looks in $NAS_DATA_DIR, then
// the source tree nas was built from, then the install prefix's share/nas.
// Throws nas::Error listing the places looked at when none has the file.
std::string shipped_data_file(const std::string& relative_path);

}  // namespace nas
