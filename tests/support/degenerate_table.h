// A copy of the shipped NB201 table (cifar10 accuracy and raspi4 latency)
// in which a third of the cells are degenerate (a latency the table marks as no usable value):
// every cell that computes nothing, and every cell with two or more pools
// reaching its output (a runtime that cannot run them, say).
#pragma once

#include <fstream>
#include <string>

#include "core/nb201_space.h"
#include "estimators/nb201_cost.h"
#include "estimators/nb201_table.h"

namespace nas::test {

// Whether the cell is degenerate in write_third_degenerate_table's copy.
inline bool third_degenerate(const SearchSpace& space, const Arch& arch) {
  const Nb201Cost cost = nb201_cost(space, arch);
  return cost.degenerate || cost.to_output[2] >= 2;
}

// Writes the copy as plain CSV; returns the share of degenerate cells.
inline double write_third_degenerate_table(const std::string& path) {
  const SearchSpace space = nb201_space();
  const Nb201Table table = Nb201Table::load(Nb201Table::shipped_path());
  const std::size_t accuracy = *table.column_index("cifar10_test_acc");
  const std::size_t latency = *table.column_index("raspi4_ms");
  std::ofstream out(path);
  out << "arch_idx,arch_str,cifar10_test_acc,raspi4_ms\n";
  std::size_t degenerate = 0;
  for (std::size_t r = 0; r < table.num_rows(); ++r) {
    const bool broken = third_degenerate(space, table.arch(r));
    degenerate += broken;
    out << r << ',' << table.arch_string(r) << ',' << *table.value(r, accuracy) << ','
        << (broken ? 0.003 : *table.value(r, latency)) << '\n';
  }
  return static_cast<double>(degenerate) / static_cast<double>(table.num_rows());
}

}  // namespace nas::test
