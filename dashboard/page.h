// The dashboard's web page: one self-contained HTML document (inline style
// and script, nothing fetched from elsewhere) that polls the JSON API and
// draws a run's progress, its front (a table and an SVG scatter of the first
// two objectives) and the farm's runners.
#pragma once

#include <string>

namespace nas {

const std::string& dashboard_page();

}  // namespace nas
