// The report's formats, each from the gathered model. Internal to results/.
#pragma once

#include <string>
#include <vector>

#include "results/report_model.h"

namespace nas::report {

std::string render_markdown(const std::vector<std::string>& store_paths,
                            const std::vector<RunReport>& runs);
std::string render_latex(const std::vector<RunReport>& runs);
std::string render_csv(const std::vector<RunReport>& runs);
std::string render_json(const std::vector<RunReport>& runs);

}  // namespace nas::report
