#pragma once
// Known puzzles for the Sudoku data-layer tests, each with its unique solution.
#include "sudoku/grid.h"

namespace trm_test {

// Row 1 of the Kaggle "1 million Sudoku games" set: easy, singles alone solve it.
inline const char* const kEasyPuzzle = "004300209005009001070060043006002087190007400050083000600000105003508690042910300";
inline const char* const kEasySolution = "864371259325849761971265843436192587198657432257483916689734125713528694542916378";

// The hardest "Expert" puzzle of the rated sample (graded-5k.csv) for our solver: it needs real search.
inline const char* const kHardPuzzle = "800040907000200004000000080007000200000501800090030100010000390300080020600000000";
inline const char* const kHardSolution = "826345917971268534534917682157894263263571849498632175712456398345189726689723451";

inline trm::sudoku::Grid grid(const char* text) { return trm::sudoku::parse_grid(text, "test sample"); }

}  // namespace trm_test
