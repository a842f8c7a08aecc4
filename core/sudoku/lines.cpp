#include "sudoku/lines.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "util/error.h"

namespace trm::sudoku {

namespace {
constexpr size_t kBufferBytes = size_t{1} << 16;
constexpr size_t kTrackedCommas = 16;  // past the kept part of an overlong line: enough for every column we read

// The characters that only draw a grid written over several lines ("5 3 . | . 7 .", "------+-------").
bool draws_grid(char c) { return c == ' ' || c == '\t' || c == '|' || c == '+' || c == '-' || c == '_'; }

std::string_view trim_spaces(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}
}  // namespace

LineReader::LineReader(std::istream& in, const std::string& source) : in_(in), source_(source), buffer_(kBufferBytes) {}

bool LineReader::fill() {
  // One read of up to 64 KB: measured on the 1M-line, 163 MB Kaggle file, as fast as std::getline into a reused
  // string (which would hold a line of any length whole).
  in_.read(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
  const auto got = static_cast<size_t>(in_.gcount());
  if (got == 0) {
    if (in_.bad()) throw InputError(source_ + ": read error after line " + std::to_string(number_));
    return false;
  }
  pos_ = 0;
  end_ = got;
  return true;
}

void LineReader::take(const char* data, size_t size) {
  if (!overlong_) {
    const size_t room = kMaxLineBytes - text_.size();
    if (size <= room) {
      text_.append(data, size);
      length_ += size;
      return;
    }
    text_.append(data, room);
    length_ += room;
    data += room;
    size -= room;
    overlong_ = true;
  }
  for (const char* at = data; far_commas_.size() < kTrackedCommas;) {
    const void* comma = std::memchr(at, ',', static_cast<size_t>(data + size - at));
    if (!comma) break;
    far_commas_.push_back(length_ + static_cast<size_t>(static_cast<const char*>(comma) - data));
    at = static_cast<const char*>(comma) + 1;
  }
  length_ += size;
  if (length_ > kMaxCountedBytes)
    throw InputError(source_ + ":" + std::to_string(number_) + ": line is longer than " +
                     std::to_string(kMaxCountedBytes) + " bytes, stopped reading (a line may have " +
                     std::to_string(kMaxLineBytes) + "; is this a text file?)");
}

bool LineReader::next(std::string_view& line) {
  text_.clear();
  far_commas_.clear();
  length_ = 0;
  overlong_ = false;
  if (pending_cr_) {
    pending_cr_ = false;
    if (pos_ == end_ && !fill()) return false;
    if (buffer_[pos_] == '\n') ++pos_;  // "\r\n": one line end
  }
  ++number_;
  bool any = false;
  for (;;) {
    if (pos_ == end_ && !fill()) {
      if (!any) {
        --number_;
        return false;
      }
      break;
    }
    any = true;
    const char* data = buffer_.data() + pos_;
    size_t size = end_ - pos_;
    const char* stop = static_cast<const char*>(std::memchr(data, '\n', size));
    if (stop) size = static_cast<size_t>(stop - data);
    if (const void* cr = std::memchr(data, '\r', size)) {
      stop = static_cast<const char*>(cr);
      size = static_cast<size_t>(stop - data);
    }
    take(data, size);
    pos_ += size;
    if (stop) {
      pending_cr_ = *stop == '\r';
      ++pos_;
      break;
    }
  }
  if (number_ == 1 && text_.compare(0, 3, "\xEF\xBB\xBF") == 0) {  // UTF-8 byte order mark
    text_.erase(0, 3);
    length_ -= 3;
    for (size_t& comma : far_commas_) comma -= 3;
  }
  if (!overlong_) {
    while (!text_.empty() && (text_.back() == ' ' || text_.back() == '\t')) text_.pop_back();
    length_ = text_.size();
  }
  line = text_;
  return true;
}

size_t LineReader::field_length(size_t index) const {
  auto next_comma = [&](size_t from) -> size_t {
    if (from < text_.size()) {
      const size_t comma = text_.find(',', from);
      if (comma != std::string::npos) return comma;
    }
    for (const size_t comma : far_commas_)
      if (comma >= from) return comma;
    return std::string::npos;
  };
  size_t begin = 0;
  for (size_t field = 0;; ++field) {
    const size_t comma = next_comma(begin);
    if (comma == std::string::npos && overlong_ && far_commas_.size() == kTrackedCommas) return std::string::npos;
    if (field == index) return (comma == std::string::npos ? length_ : comma) - begin;
    if (comma == std::string::npos) return std::string::npos;
    begin = comma + 1;
  }
}

std::string LineReader::overlong_problem() const {
  return "line has " + std::to_string(length_) + " bytes, more than the " + std::to_string(kMaxLineBytes) +
         " a line may have";
}

bool try_read_puzzle_cells(std::string_view text, Grid& grid, std::string& problem) {
  if (text.size() > kMaxLineBytes) {
    problem = "has " + std::to_string(text.size()) + " bytes, more than the " + std::to_string(kMaxLineBytes) +
              " a puzzle may have";
    return false;
  }
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // UTF-8 byte order mark
  // The lines that hold anything, with their numbers; "\r\n", "\r" and "\n" each end one line.
  std::vector<std::pair<size_t, std::string_view>> lines;
  for (size_t at = 0, number = 1;; ++number) {
    size_t end = text.find_first_of("\r\n", at);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = trim_spaces(text.substr(at, end - at));
    if (!line.empty()) lines.emplace_back(number, line);
    if (end == text.size()) break;
    at = end + (text[end] == '\r' && end + 1 < text.size() && text[end + 1] == '\n' ? 2 : 1);
  }
  if (lines.size() <= 1) return try_parse_grid(lines.empty() ? std::string_view{} : lines[0].second, grid, true, &problem);
  std::string cells;  // a drawn grid: its digits and dots, row by row
  size_t count = 0;
  for (const auto& [number, line] : lines) {
    for (size_t i = 0; i < line.size(); ++i) {
      const char c = line[i];
      if (draws_grid(c)) continue;
      if ((c >= '0' && c <= '9') || c == '.') {
        if (++count <= static_cast<size_t>(kCells)) cells += c;
        continue;
      }
      problem = "line " + std::to_string(number) + " of the grid, character " + std::to_string(i + 1) + " is " +
                quote_char(c) + ", expected a digit 1-9, 0 or . for a blank (spaces, |, +, - and _ draw the grid)";
      return false;
    }
  }
  if (count != static_cast<size_t>(kCells)) {
    problem = "a grid of " + std::to_string(lines.size()) + " lines has " + std::to_string(count) + " cells, expected 81";
    return false;
  }
  return try_parse_grid(cells, grid, true, &problem);
}

bool try_read_puzzle(std::string_view text, Grid& grid, std::string& problem) {
  if (!try_read_puzzle_cells(text, grid, problem)) return false;
  const auto conflicts = find_conflicts(grid);
  if (conflicts.empty()) return true;
  problem = "the givens conflict: " + describe(conflicts.front()) +
            (conflicts.size() > 1 ? " (and " + std::to_string(conflicts.size() - 1) + " more)" : "");
  return false;
}

bool PuzzleListReader::next(Grid& grid) {
  std::string_view line;
  std::string problem;
  while (lines_.next(line)) {
    const std::string_view field = trim_spaces(line.substr(0, line.find(',')));
    const std::string where = source_ + ":" + std::to_string(lines_.line_number()) + ": ";
    if (lines_.overlong()) {
      const size_t length = lines_.field_length(0);
      throw InputError(where + (length != std::string::npos && length != 81
                                    ? "has " + std::to_string(length) + " characters, expected 81"
                                    : lines_.overlong_problem()));
    }
    if (trim_spaces(line).empty()) continue;
    if (lines_.line_number() == 1 && field.size() != 81 && field.find_first_of("0123456789.") == std::string_view::npos)
      continue;  // a header
    if (!try_read_puzzle(field, grid, problem)) throw InputError(where + problem);
    return true;
  }
  return false;
}

}  // namespace trm::sudoku
