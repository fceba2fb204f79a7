// The job the farm tests send: one NB201 cell, which a sleep runner takes.
#pragma once

#include <string>

#include "device_runners/wire/job.h"

namespace nas::test {

// One NB201 cell, due within `deadline` seconds.
inline JobSpec nb201_job(const std::string& id, double deadline = 30) {
  JobSpec s;
  s.job_id = id;
  s.space = "nb201";
  s.arch = {{"edge_1_0", "nor_conv_3x3"}};
  s.input_shape = {1, 3, 32, 32};
  s.deadline_seconds = deadline;
  return s;
}

}  // namespace nas::test
