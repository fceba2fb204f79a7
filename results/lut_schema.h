// The per-device look-up table tables (`nas lut build`), one migration kept
// apart from results/schema.cpp's list, which names it in its place.
#pragma once

namespace nas {

// The SQL of the migration that adds lut_entries and lut_fits.
const char* lut_tables_sql();

}  // namespace nas
