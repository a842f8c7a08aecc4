#!/usr/bin/env python3
"""Writes the bad-input corpus (tests/bad-inputs/{csv,puzzles,weights,checkpoints,configs}/) from the two valid
tiny files beside it, good/weights.json and good/checkpoint.json (made by `trm train` on a d=2 cells model, see
README.md). Deterministic; run from anywhere:  python3 tests/bad-inputs/make.py
The megabyte-sized cases are not committed: run.sh builds them at test time (see `generated` in run.sh)."""
import base64, json, os, struct

HERE = os.path.dirname(os.path.abspath(__file__))
PUZZLE = "004300209005009001070060043006002087190007400050083000600000105003508690042910300"
SOLUTION = "864371259325849761971265843436192587198657432257483916689734125713528694542916378"
PUZZLE2 = "040100050107003960520008000000000017000906800803050620090060543600080700250097100"
SOLUTION2 = "346179258187523964529648371965832417472916835813754629798261543631485792254397186"


def write(path, data):
    full = os.path.join(HERE, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def csv(*rows, header="quizzes,solutions"):
    return header + "\n" + "".join(r + "\n" for r in rows)


def good_row(i=0):
    return (PUZZLE if i == 0 else PUZZLE2) + "," + (SOLUTION if i == 0 else SOLUTION2)


def swap(text, i, ch):
    return text[:i] + ch + text[i + 1:]


# --- CSV files (trm eval --data, trm train --data) -------------------------------------------------------
write("csv/empty.csv", "")
write("csv/blank-lines-only.csv", "\n\n  \n")
write("csv/header-only.csv", "quizzes,solutions\n")
write("csv/no-puzzle-column.csv", csv(good_row(), header="grids,answers"))
write("csv/no-solution-column.csv", csv(good_row(), header="quizzes,answers"))
write("csv/short-puzzle.csv", csv(good_row(1), PUZZLE[:80] + "," + SOLUTION))
write("csv/long-puzzle.csv", csv(good_row(1), PUZZLE + "0," + SOLUTION))
write("csv/short-solution.csv", csv(good_row(1), PUZZLE + "," + SOLUTION[:-1]))
write("csv/letter-in-puzzle.csv", csv(good_row(1), good_row(1), swap(PUZZLE, 16, "x") + "," + SOLUTION))
write("csv/blank-in-solution.csv", csv(PUZZLE + "," + swap(SOLUTION, 40, "0")))
write("csv/conflicting-givens.csv", csv(good_row(1), swap(PUZZLE, 0, "2") + "," + SOLUTION))  # 2 again in row 1
relabelled = SOLUTION.translate(str.maketrans("46", "64"))  # still a valid grid, but r1c3 holds 6, the given 4
write("csv/solution-disagrees.csv", csv(good_row(1), good_row(1), PUZZLE + "," + relabelled))
write("csv/solution-invalid.csv", csv(PUZZLE + "," + swap(SOLUTION, 1, "8")))
write("csv/one-field.csv", csv(good_row(), PUZZLE))
write("csv/bad-difficulty.csv", csv(good_row() + ",3", good_row(1) + ",lots", header="quizzes,solutions,difficulty"))
write("csv/nan-difficulty.csv", csv(good_row() + ",nan", header="quizzes,solutions,difficulty"))
write("csv/nul-in-puzzle.csv", csv(swap(PUZZLE, 4, "\0") + "," + SOLUTION))
write("csv/utf16.csv", "\ufeff" .encode("utf-16-le") + csv(good_row()).encode("utf-16-le"))
write("csv/semicolons.csv", "quizzes;solutions\n" + PUZZLE + ";" + SOLUTION + "\n")
junk = bytes((i * 7919 + (i >> 3) * 104729) % 251 for i in range(4096))  # fixed "random" bytes
write("csv/binary-junk.csv", junk)
write("csv/levels-257.csv", csv(*[good_row(i % 2) + ",level%d" % i for i in range(257)], header="quizzes,solutions,level"))

# --- puzzle strings (trm solve PUZZLE) and puzzle files (trm solve --input) -------------------------------
write("puzzles/short.txt", PUZZLE[:80])
write("puzzles/letters.txt", "abc" + PUZZLE[3:])
write("puzzles/conflict-row.txt", "5" + PUZZLE[1:8] + "5" + PUZZLE[9:])
write("puzzles/conflict-box.txt", PUZZLE[:10] + "4" + PUZZLE[11:])
write("puzzles/input-bad-line.txt", PUZZLE + "\n" + PUZZLE2 + "\n" + PUZZLE[:80] + "\n")
write("puzzles/input-conflict.txt", PUZZLE + "\n" + "77" + PUZZLE[2:] + "\n")
write("puzzles/input-empty.txt", "")
write("puzzles/input-blank-lines.txt", "\n \n\n")
write("puzzles/input-binary.txt", junk)

# --- weights files (trm solve --model, trm eval --model) -------------------------------------------------
with open(os.path.join(HERE, "good/weights.json")) as f:
    weights = json.load(f)
with open(os.path.join(HERE, "good/checkpoint.json")) as f:
    checkpoint = json.load(f)
first = sorted(weights["tensors"])[0]


def variant(change, base=None):
    w = json.loads(json.dumps(base if base is not None else weights))
    change(w)
    return json.dumps(w)


def set_float(tensors, name, index, value):
    """Sets value `index` of base64 tensor `name` in a "tensors" object."""
    raw = bytearray(base64.b64decode(tensors[name]["data"]))
    raw[4 * index:4 * index + 4] = struct.pack("<f", value)
    tensors[name]["data"] = base64.b64encode(bytes(raw)).decode()


text = json.dumps(weights)
write("weights/empty.json", "")
write("weights/truncated.json", text[: len(text) // 2])
write("weights/binary-junk.json", junk)
write("weights/array.json", "[1, 2, 3]\n")
write("weights/other-format.json", variant(lambda w: w.update(format="safetensors")))
write("weights/version-2.json", variant(lambda w: w.update(version=2)))
write("weights/no-config.json", variant(lambda w: w.pop("config")))
write("weights/unknown-config-key.json", variant(lambda w: w["config"].update(hiden_dim=4)))
write("weights/config-out-of-range.json", variant(lambda w: w["config"].update(H_cycles=100000)))
write("weights/float-overflow.json", variant(lambda w: w["config"].update(lr=1e39)))
write("weights/missing-tensor.json", variant(lambda w: w["tensors"].pop(first)))
write("weights/unknown-tensor.json", variant(lambda w: w["tensors"].update(extra=w["tensors"][first])))
write("weights/wrong-shape.json", variant(lambda w: w["tensors"][first].update(shape=list(reversed(w["tensors"][first]["shape"])) + [1])))
write("weights/huge-shape.json", variant(lambda w: w["config"].update(hidden_dim=8192)))
write("weights/short-data.json", variant(lambda w: w["tensors"][first].update(data=w["tensors"][first]["data"][:-8])))
write("weights/bad-base64.json", variant(lambda w: w["tensors"][first].update(data="*" + w["tensors"][first]["data"][1:])))
write("weights/nan.json", variant(lambda w: set_float(w["tensors"], first, 1, float("nan"))))
write("weights/inf.json", variant(lambda w: set_float(w["tensors"], first, 0, float("inf"))))
write("weights/list-overflow.json", variant(lambda w: w["tensors"][first].update(
    data=[1e39] + [0.0] * (len(base64.b64decode(w["tensors"][first]["data"])) // 4 - 1))))
write("weights/list-string-value.json", variant(lambda w: w["tensors"][first].update(
    data=["x"] * (len(base64.b64decode(w["tensors"][first]["data"])) // 4))))
write("weights/dtype-bfloat16.json", variant(lambda w: w["tensors"][first].update(dtype="bfloat16")))
with open(os.path.join(HERE, "good/weights-float16.json")) as f:
    half = json.load(f)
raw = bytearray(base64.b64decode(half["tensors"][first]["data"]))
raw[2:4] = struct.pack("<H", 0x7C00)  # value 1 = +inf in float16
half["tensors"][first]["data"] = base64.b64encode(bytes(raw)).decode()
write("weights/float16-inf.json", json.dumps(half))
write("weights/nan-literal.json", text.replace('"version": 1', '"version": NaN'))
# Round two (issue 22).
# Finite weights whose recursion overflows float32: the forward pass gives nan, which must not print as an answer.
def set_all(tensors, name, value):
    for i in range(len(base64.b64decode(tensors[name]["data"])) // 4):
        set_float(tensors, name, i, value)


write("weights/gate-overflow.json", variant(lambda w: [set_all(w["tensors"], t, 3e38)
                                                       for t in ("latent_gate", "latent_net.blocks.0.fc2.weight")]))
# One reader for puzzle text: a CR-only (old Mac) file numbers its lines by CR; a fullwidth digit is one character.
write("csv/cr-only-short.csv", csv(good_row(), good_row(1), PUZZLE[:80] + "," + SOLUTION).replace("\n", "\r"))
write("puzzles/input-cr-only-bad-line.txt", (PUZZLE + "\r" + PUZZLE2 + "\r" + PUZZLE[:80] + "\r"))
write("puzzles/fullwidth-digit.txt", PUZZLE[:4] + "\uff11" + PUZZLE[5:])
write("puzzles/fullwidth-long.txt", PUZZLE[:4] + "\uff11" + PUZZLE[4:])

# Ambiguous headers and duplicate keys: either reading would be a guess.
write("csv/ambiguous-header.csv", csv(SOLUTION + "," + good_row(), header="puzzle,quizzes,solutions"))
write("weights/duplicate-config-key.json", text.replace('"config": {', '"config": {"hidden_dim": 512, ', 1))
write("weights/duplicate-tensor.json", text.replace('"tensors": {', '"tensors": {"%s": %s, ' % (first, json.dumps(weights["tensors"][first])), 1))
write("weights/truncated-base64.json", variant(lambda w: w["tensors"][first].update(data=w["tensors"][first]["data"][:-3])))
write("weights/nul-in-tensor-name.json", variant(lambda w: w["tensors"].update({"extra\0name": w["tensors"][first]})))

# --- checkpoints (trm train --resume, trm export --checkpoint) -------------------------------------------
ctext = json.dumps(checkpoint)
write("checkpoints/truncated.json", ctext[: len(ctext) * 2 // 3])
write("checkpoints/version-2.json", variant(lambda c: c.update(version=2), checkpoint))
write("checkpoints/no-weights.json", variant(lambda c: c.pop("weights"), checkpoint))
write("checkpoints/bad-weights.json", variant(lambda c: set_float(c["weights"]["tensors"], first, 2, float("inf")), checkpoint))
write("checkpoints/no-training.json", variant(lambda c: c.pop("training"), checkpoint))
write("checkpoints/bad-rng.json", variant(lambda c: c["training"].update(dropout_rng=[1, 2]), checkpoint))
write("checkpoints/bad-step.json", variant(lambda c: c["training"].update(step="seven"), checkpoint))
write("checkpoints/bad-loss-sum.json", variant(lambda c: c["training"].update(epoch_loss_sum="x"), checkpoint))
write("checkpoints/inf-moment.json", variant(lambda c: set_float(c["training"]["optimizer"]["v"], first, 0, float("inf")), checkpoint))
write("checkpoints/moment-shape.json", variant(lambda c: c["training"]["optimizer"]["m"][first].update(shape=[1]), checkpoint))

write("checkpoints/duplicate-key.json", ctext.replace('"training": {', '"training": {"step": 0, ', 1))

# --- configs (trm train --config) ------------------------------------------------------------------------
write("configs/truncated.json", '{"hidden_dim": 16, "L_lay')
write("configs/unknown-key.json", '{"hidden_dim": 16, "hidden_dimm": 32}\n')
write("configs/wrong-type.json", '{"hidden_dim": "sixteen"}\n')
write("configs/out-of-range.json", '{"hidden_dim": -3}\n')
write("configs/not-object.json", '[16, 1, 2]\n')
write("configs/duplicate-key.json", '{"hidden_dim": 16, "L_layers": 1, "hidden_dim": 512}\n')
write("configs/nul-in-key.json", '{"hidden\\u0000dim": 16}\n')
print("bad inputs written under", HERE)
