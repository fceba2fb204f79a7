#include "estimators/tabular_evaluator.h"

#include <doctest/doctest.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>

#include "core/errors.h"
#include "core/nb201_space.h"

namespace nas {
namespace {

std::shared_ptr<const Nb201Table> shipped_table() {
  static auto table = std::make_shared<const Nb201Table>(Nb201Table::load(Nb201Table::shipped_path()));
  return table;
}

struct TempFile {
  std::filesystem::path path;
  explicit TempFile(const std::string& name)
      : path(std::filesystem::temp_directory_path() / ("nas_test_" + name)) {}
  ~TempFile() { std::filesystem::remove(path); }
};

TEST_CASE("the shipped table has every cell of the space") {
  const auto table = shipped_table();
  CHECK(table->num_rows() == 15625);
  CHECK(table->column_index("cifar10_test_acc").has_value());
  CHECK(table->column_index("raspi4_ms").has_value());
  const SearchSpace space = nb201_space();
  // Row 1 of the file, as printed in the table's README.
  const Arch arch = nb201_from_string(
      space,
      "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|"
      "skip_connect~2|");
  CHECK(table->row_of(arch) == 1);
  TabularEvaluator evaluator(table);
  CHECK(*evaluator.evaluate(arch, "cifar10_test_acc").value == doctest::Approx(93.66));
  const Evaluation latency = evaluator.evaluate(arch, "raspi4_ms");
  CHECK(*latency.value == doctest::Approx(54.7774));
  CHECK(latency.key.device == "raspi4");
  CHECK(latency.key.source == Source::kTabular);
  CHECK(evaluator.key("cifar10_test_acc").device.empty());
}

TEST_CASE("degenerate latencies are excluded with a note, not used") {
  TabularEvaluator evaluator(shipped_table());
  // Every edge 'none': the cell computes nothing.
  const Evaluation e = evaluator.evaluate(Arch{{0, 0, 0, 0, 0, 0}}, "raspi4_ms");
  CHECK_FALSE(e.value.has_value());
  CHECK(e.note.find("degenerate") != std::string::npos);
}

TEST_CASE("an unknown metric names the metrics there are") {
  TabularEvaluator evaluator(shipped_table());
  CHECK_THROWS_WITH_AS(evaluator.key("raspi5_ms"),
                       doctest::Contains("the nb201 table has no metric \"raspi5_ms\" (it has: "),
                       Error);
}

TEST_CASE("malformed tables are refused with file and line") {
  TempFile file("bad_table.csv");
  {
    std::ofstream out(file.path);
    out << "arch_idx,arch_str,acc\n"
        << "0,|none~0|+|none~0|none~1|+|none~0|none~1|none~2|,1.5\n"
        << "1,|none~0|+|none~0|none~1|+|none~0|none~1|skip_connect~2|,abc\n";
  }
  CHECK_THROWS_WITH_AS(Nb201Table::load(file.path.string()),
                       doctest::Contains("bad_table.csv:3: column acc: 'abc' is not a number"), Error);
  {
    std::ofstream out(file.path);
    out << "idx,cell,acc\n";
  }
  CHECK_THROWS_WITH_AS(Nb201Table::load(file.path.string()),
                       doctest::Contains("expected a header starting with arch_idx,arch_str"), Error);
  CHECK_THROWS_WITH_AS(Nb201Table::load("/nonexistent/table.csv.gz"),
                       doctest::Contains("cannot open"), Error);
}

TEST_CASE("a gzip table and missing values are read") {
  TempFile file("small_table.csv.gz");
  {
    gzFile out = gzopen(file.path.c_str(), "wb");
    const std::string text =
        "arch_idx,arch_str,acc,dev_ms\n"
        "0,|none~0|+|none~0|none~1|+|none~0|none~1|skip_connect~2|,80.5,\n";
    gzwrite(out, text.data(), static_cast<unsigned>(text.size()));
    gzclose(out);
  }
  const auto table = std::make_shared<const Nb201Table>(Nb201Table::load(file.path.string()));
  CHECK(table->num_rows() == 1);
  TabularEvaluator evaluator(table);
  const Arch arch{{0, 0, 0, 0, 0, 1}};
  CHECK(*evaluator.evaluate(arch, "acc").value == doctest::Approx(80.5));
  const Evaluation missing = evaluator.evaluate(arch, "dev_ms");
  CHECK_FALSE(missing.value.has_value());
  CHECK(missing.note == "missing in the table");
}

}  // namespace
}  // namespace nas
