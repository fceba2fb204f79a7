// What an NB201 cell network computes, from the cell alone: which edges are
// live (on a path from the cell's input to its output, so that an exported
// graph keeps them), and the MACs and parameters of the live operations over
// the whole CIFAR network (3 stages of 5 cells at 16/32/64 channels on
// 32/16/8-pixel maps; the stem, reduction blocks and head are the same for
// every cell and left out). The features a latency predictor needs beside the
// cell's decisions: a cell whose conv feeds only a dead node costs nothing.
#pragma once

#include <array>
#include <vector>

#include "core/search_space.h"
#include "estimators/predictor.h"

namespace nas {

// Counts of the cell's operations by type: conv3x3, conv1x1, avg_pool, skip.
using OpCounts = std::array<int, 4>;

struct Nb201Cost {
  bool degenerate = false;          // the output is not reachable from the input
  std::array<int, 6> live{};        // 1 where the edge is live (benchmark order)
  int live_conv3x3 = 0, live_conv1x1 = 0, live_pool = 0, live_skip = 0;
  // Operations by how much of the cell a runtime keeps: every non-none edge
  // (eager frameworks run dead branches too), those that reach the output,
  // those reachable from the input, and the live ones (both).
  OpCounts all{}, to_output{}, from_input{}, live_counts{};
  // Per edge: the op type (0..3 as in OpCounts) where the edge reaches the
  // output, -1 where it is none or does not.
  std::array<int, 6> to_output_op{};
  double macs = 0;    // multiply-accumulates of the live ops (pooling counts one per window element)
  double params = 0;  // weights of the live convolutions (BN included)
};

// REQUIRES: space is nb201_space() and arch fits it.
Nb201Cost nb201_cost(const SearchSpace& space, const Arch& arch);

// Bits of nb201_features' mask.
constexpr unsigned kNb201AllOps = 1, kNb201OpsToOutput = 2, kNb201OpsFromInput = 4, kNb201LiveOps = 8;

// The four OpCounts (16 numbers) and the live MACs / 1e6 as predictor
// features. `space` must outlive the function.
// `mask` selects which of the four OpCounts enter, bit i for the i-th in the
// order above (all, to_output, from_input, live); 15 = every one.
FeatureFunction nb201_features(const SearchSpace& space, unsigned mask = 15);

// The cell's op counts (conv3x3, conv1x1, avg_pool, skip) in three views:
// every non-none op ("all ops": eager runtimes run dead branches too), the
// ops whose output reaches the cell's output ("ops reaching the output": a
// converter prunes the rest, as the TFLite-measured raspi4 and pixel3 columns
// show) and the live ops. `space` must outlive the functions.
std::vector<FeatureView> nb201_count_views(const SearchSpace& space);

// The decisions, then per edge the op where the edge reaches the cell's
// output and -1 where it does not (12 codes). `space` must outlive it.
CodeFunction nb201_codes(const SearchSpace& space);

// The cell with every dead edge set to none: the same computation (a dead
// edge's output never reaches the cell's output, or its input is cut off
// from the cell's input) without the dead ops that eager runtimes still run.
// A degenerate cell is returned as it is. REQUIRES: as nb201_cost.
Arch nb201_without_dead_ops(const SearchSpace& space, const Arch& arch);

// Per edge the op where the edge is live and -1 where it is not (6 codes):
// what the cell computes, so cells that differ only in dead edges get equal
// inputs. `space` must outlive it.
CodeFunction nb201_live_codes(const SearchSpace& space);

}  // namespace nas
