# Reads the text output of `trm eval --decoding iterative` and prints one line:
#   puzzles|no-model blank cells|single pass blank cells|single pass puzzles|final blank cells|final puzzles|passes
# (single pass = the last outer cycle's frame; final = iterative commit). Shared by results.sh and ablations.sh.
/ puzzles, / { for (i = 1; i <= NF; i++) if ($(i + 1) == "puzzles,") n = $i }
/^no model/ { base = $(NF - 1) }
/^single pass, cycle/ { sb = $(NF - 1); se = $NF }
/^iterative commit/ { fb = $(NF - 3); fe = $(NF - 2); passes = $(NF - 1) }
END { printf "%s|%s|%s|%s|%s|%s|%s\n", n, base, sb, se, fb, fe, passes }
