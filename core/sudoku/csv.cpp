#include "sudoku/csv.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "sudoku/lines.h"
#include "util/error.h"

namespace trm::sudoku {

namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"') text = text.substr(1, text.size() - 2);
  return text;
}

// Splits on commas into `fields` (reused between rows, so no allocation once it has grown).
void split_fields(std::string_view line, std::vector<std::string_view>& fields) {
  fields.clear();
  for (;;) {
    const size_t comma = line.find(',');
    fields.push_back(trim(line.substr(0, comma)));
    if (comma == std::string_view::npos) return;
    line.remove_prefix(comma + 1);
  }
}

bool is_blank_line(std::string_view line) { return trim(line).empty(); }

// Text from the file as a message shows it: at most 60 characters (then "..."), and every byte that is not
// printable ASCII as '?', so binary junk or a 4 MB line gives a short, readable message.
std::string shown(std::string_view text) {
  constexpr size_t kMax = 60;
  std::string out(text.substr(0, kMax));
  for (char& ch : out)
    if (static_cast<unsigned char>(ch) < 0x20 || static_cast<unsigned char>(ch) >= 0x7F) ch = '?';
  if (text.size() > kMax) out += "...";
  return out;
}

bool looks_like_puzzle(std::string_view field) {
  return field.size() == kCells &&
         std::all_of(field.begin(), field.end(), [](char ch) { return (ch >= '0' && ch <= '9') || ch == '.'; });
}

// Where each column we use sits in a row; -1 when absent.
struct Columns {
  int puzzle = 0, solution = 1, difficulty = -1, level = -1;
  size_t needed() const { return static_cast<size_t>(std::max({puzzle, solution, difficulty, level})) + 1; }
};

std::string lowercase(std::string_view text) {
  std::string lower(text);
  for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return lower;
}

Columns columns_from_header(const std::vector<std::string_view>& names, std::string_view header,
                            const std::string& where) {
  Columns columns{-1, -1, -1, -1};
  const std::string quoted = "header \"" + shown(header) + "\"";
  // Two columns for one role (puzzle,quizzes,solutions) is ambiguous: reading either could score the wrong one.
  auto claim = [&](int& column, int index, const char* role, const char* accepted) {
    if (column >= 0)
      throw InputError(where + quoted + " is ambiguous: columns " + std::to_string(column + 1) + " (\"" +
                       shown(names[static_cast<size_t>(column)]) + "\") and " + std::to_string(index + 1) + " (\"" +
                       shown(names[static_cast<size_t>(index)]) + "\") are both a " + role + " column (accepted: " +
                       accepted + ")");
    column = index;
  };
  for (size_t i = 0; i < names.size(); ++i) {
    const std::string name = lowercase(names[i]);
    const int index = static_cast<int>(i);
    if (name == "quizzes" || name == "quiz" || name == "puzzles" || name == "puzzle")
      claim(columns.puzzle, index, "puzzle", "quizzes, quiz, puzzles, puzzle");
    if (name == "solutions" || name == "solution") claim(columns.solution, index, "solution", "solutions, solution");
    if (name == "difficulty" || name == "guesses" || name == "rating")
      claim(columns.difficulty, index, "difficulty", "difficulty, guesses, rating");
    if (name == "level") claim(columns.level, index, "level", "level");
  }
  if (columns.puzzle < 0) {
    throw InputError(where + quoted + " has no puzzle column (expected one named quizzes, quiz, puzzles or puzzle)");
  }
  if (columns.solution < 0) {
    throw InputError(where + quoted + " has no solution column (expected one named solutions or solution)");
  }
  return columns;
}

bool parse_number(std::string_view field, float& value) {
  char text[64];
  if (field.empty() || field.size() >= sizeof text) return false;
  std::memcpy(text, field.data(), field.size());
  text[field.size()] = '\0';
  char* end = nullptr;
  value = std::strtof(text, &end);
  return end == text + field.size() && std::isfinite(value);
}

// Growing storage for [rows, 81] bytes in fixed chunks: no reallocation copies while reading, and the chunks are
// released one by one while being moved into the final tensor, so the peak stays near the final size.
class GridChunks {
 public:
  void push(const Grid& grid) {
    if (chunks_.empty() || chunks_.back().size() == kChunkBytes) {
      chunks_.emplace_back();
      // The first chunk starts small and grows (most files are small: reserving 5.3 MB per column for a 3-row
      // file made the CSV fuzzer 10x slower); the later ones are reserved whole, so big files copy nothing.
      chunks_.back().reserve(chunks_.size() == 1 ? kFirstChunkBytes : kChunkBytes);
    }
    chunks_.back().insert(chunks_.back().end(), grid.begin(), grid.end());
    ++rows_;
  }

  xt::xtensor<uint8_t, 2> take() {
    xt::xtensor<uint8_t, 2> grids(std::array<size_t, 2>{rows_, static_cast<size_t>(kCells)});  // (rows, 81)
    uint8_t* out = grids.data();
    for (auto& chunk : chunks_) {
      std::memcpy(out, chunk.data(), chunk.size());
      out += chunk.size();
      std::vector<uint8_t>().swap(chunk);
    }
    chunks_.clear();
    rows_ = 0;
    return grids;
  }

 private:
  static constexpr size_t kChunkBytes = size_t{65536} * kCells;  // 5.3 MB, whole rows
  static constexpr size_t kFirstChunkBytes = size_t{256} * kCells;
  std::vector<std::vector<uint8_t>> chunks_;
  size_t rows_ = 0;
};

// One checked row.
struct Row {
  Grid puzzle{}, solution{};
  float difficulty = 0;
  std::string_view level;
};

// Checks one data row; on failure returns false with `problem` set. Allocates only when describing a problem.
bool read_row(const std::vector<std::string_view>& fields, const Columns& columns, Row& row, std::string& problem) {
  if (fields.size() < columns.needed()) {
    problem = "has " + std::to_string(fields.size()) + (fields.size() == 1 ? " field" : " fields") +
              ", expected at least " + std::to_string(columns.needed());
    return false;
  }
  if (!try_parse_grid(fields[columns.puzzle], row.puzzle, true, &problem)) {
    problem = "puzzle " + problem;
    return false;
  }
  if (!try_parse_grid(fields[columns.solution], row.solution, false, &problem)) {
    problem = "solution " + problem;
    return false;
  }
  if (const auto clashes = find_conflicts(row.puzzle); !clashes.empty()) {
    problem = "puzzle has conflicting givens: " + describe(clashes.front());
    return false;
  }
  if (!is_complete_valid(row.solution)) {
    // Blanks were refused above, so an invalid solution has a repeated digit.
    problem = "solution is not a valid grid: " + describe(find_conflicts(row.solution).front());
    return false;
  }
  if (!agrees(row.puzzle, row.solution)) {
    int cell = 0;
    while (row.puzzle[cell] == 0 || row.puzzle[cell] == row.solution[cell]) ++cell;
    problem = "solution disagrees with the puzzle at " + cell_name(cell) + " (given " +
              std::to_string(row.puzzle[cell]) + ", solution " + std::to_string(row.solution[cell]) + ")";
    return false;
  }
  if (columns.difficulty >= 0 && !parse_number(fields[columns.difficulty], row.difficulty)) {
    problem = "difficulty \"" + shown(fields[columns.difficulty]) + "\" is not a number";
    return false;
  }
  if (columns.level >= 0) row.level = fields[columns.level];
  return true;
}

// Sets `index` to the position of `name` in the dataset's level names, adding the name when new. False (with
// `problem` set) past 256 distinct names, which a byte per row cannot index.
bool find_level(Dataset& data, std::string_view name, uint8_t& index, std::string& problem) {
  auto found = std::find(data.level_names.begin(), data.level_names.end(), name);
  if (found == data.level_names.end()) {
    if (data.level_names.size() == 256) {
      problem = "level \"" + shown(name) + "\" is a 257th distinct level, at most 256 are supported";
      return false;
    }
    data.level_names.emplace_back(name);
    found = data.level_names.end() - 1;
  }
  index = static_cast<uint8_t>(found - data.level_names.begin());
  return true;
}

std::string format_number(float value) {
  // The shortest of %.6g ... %.9g that reads back as the same float: "5.6" rather than "5.5999999".
  char text[32];
  for (int precision = 6; precision <= 9; ++precision) {
    std::snprintf(text, sizeof text, "%.*g", precision, static_cast<double>(value));
    if (std::strtof(text, nullptr) == value) break;
  }
  return text;
}

// What is wrong with a row longer than the line limit (only its start is held): the puzzle or the solution field
// that is too long, by its full length, else the line's length.
std::string overlong_row_problem(const LineReader& lines, const Columns& columns) {
  for (const auto& [column, name] : {std::pair<int, const char*>{columns.puzzle, "puzzle"}, {columns.solution, "solution"}}) {
    const size_t length = lines.field_length(static_cast<size_t>(column));
    if (length != std::string::npos && length != kCells)
      return std::string(name) + " has " + std::to_string(length) + " characters, expected 81";
  }
  return lines.overlong_problem();
}

}  // namespace

Dataset read_csv(std::istream& in, const std::string& source_name, const CsvOptions& options, CsvReport* report) {
  LineReader lines(in, source_name);
  auto where = [&](size_t line) { return source_name + ":" + std::to_string(line) + ": "; };
  std::string_view line;
  std::vector<std::string_view> fields;

  // The first non-blank line is the header, or already a row when it starts with a puzzle.
  bool first_is_row = false;
  Columns columns;
  bool found_first = false;
  while (!found_first && lines.next(line)) {
    if (is_blank_line(line) && !lines.overlong()) continue;
    found_first = true;
    split_fields(line, fields);
    first_is_row = looks_like_puzzle(fields.front());
    if (!first_is_row) {
      columns = columns_from_header(fields, line, where(lines.line_number()));
      if (lines.overlong()) throw InputError(where(lines.line_number()) + "header: " + lines.overlong_problem());
    }
  }
  if (!found_first) {
    throw InputError(source_name + ": is empty, expected a header such as quizzes,solutions and rows of puzzles");
  }
  const bool has_difficulty = columns.difficulty >= 0, has_level = columns.level >= 0;

  Dataset data;
  GridChunks puzzles, solutions;
  CsvReport counts;
  Row row;
  std::string problem;
  size_t kept = 0;
  bool pending_row = first_is_row;  // the first line, already split, when it is a row
  while (options.limit == 0 || kept < options.limit) {
    if (!pending_row) {
      if (!lines.next(line)) break;
      if (is_blank_line(line) && !lines.overlong()) continue;
      split_fields(line, fields);
    }
    pending_row = false;
    ++counts.rows_read;
    uint8_t level = 0;
    if (lines.overlong() || !read_row(fields, columns, row, problem) ||
        (has_level && !find_level(data, row.level, level, problem))) {
      if (lines.overlong()) problem = overlong_row_problem(lines, columns);
      std::string message = where(lines.line_number()) + problem;
      if (!options.skip_invalid) throw InputError(message);
      ++counts.rows_skipped;
      if (counts.first_errors.size() < 10) counts.first_errors.push_back(std::move(message));
      continue;
    }
    puzzles.push(row.puzzle);
    solutions.push(row.solution);
    if (has_difficulty) data.difficulty.push_back(row.difficulty);
    if (has_level) data.level.push_back(level);
    ++kept;
  }

  data.puzzles = puzzles.take();
  data.solutions = solutions.take();
  data.difficulty.shrink_to_fit();
  data.level.shrink_to_fit();
  if (report) *report = std::move(counts);
  return data;
}

void write_csv(std::ostream& out, const Dataset& data) {
  const bool has_difficulty = !data.difficulty.empty(), has_level = !data.level.empty();
  out << "quizzes,solutions" << (has_difficulty ? ",difficulty" : "") << (has_level ? ",level" : "") << '\n';
  std::string line;
  for (size_t i = 0; i < data.size(); ++i) {
    line = to_string(data.puzzle(i));
    line += ',';
    line += to_string(data.solution(i));
    if (has_difficulty) line += ',' + format_number(data.difficulty[i]);
    if (has_level) line += ',' + data.level_names.at(data.level[i]);
    line += '\n';
    out.write(line.data(), static_cast<std::streamsize>(line.size()));
  }
}

}  // namespace trm::sudoku
