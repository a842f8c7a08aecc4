#!/usr/bin/python3
"""Independent PyTorch reference for trm-sudoku; writes the golden fixtures.

In the manner of llm.c's test_gpt2: for a tiny fixed model and a fixed batch we
record the inputs, the logits (final and per outer cycle), the loss, the
gradient of every parameter, and a few AdamW training steps (losses, pre-clip
gradient norms, final parameters).  The C++ implementation loads
`weights_<arch>.json` and must reproduce `fixture_<arch>.json`.

Regenerate (deterministic, rewrites the files next to this script):

    OPENBLAS_CORETYPE=SkylakeX /usr/bin/python3 tests/golden/make_fixture.py

Everything is float32 (the gradcheck self-test runs in float64 and is not saved).
Puzzles are generated in this script from the canonical Sudoku grid; nothing is
read from the data directory.

Adding an architecture: write a model class with the same interface as
`FlatTRM` (constructor taking a config dict, a static `input_of(puzzles, dtype)`
building the model input from the [B,81] puzzle digits, `forward(x)` returning
`(logits [B,81,9], cycle_logits [list of [B,81,9]], latent_update_norms [list of [B]])`,
`param_names()` giving the canonical parameter order, `randomise_for_fixture()`),
add an entry to ARCHITECTURES, and it gets `weights_<arch>.json` and
`fixture_<arch>.json` from the same generic code below.  A class with
`DEEP_SUPERVISION = True` must return cycle_logits still attached to the graph;
its fixture then also gets the deep-supervision loss and gradients.
"""

import base64
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))

PUZZLE_SEED = 1234
# Per-architecture torch seeds for the initial weights (see ARCHITECTURES).
FLAT_SEED = 56  # chosen: clipping active in steps 1-2, not 3; no near-zero-gradient elements
N_BLANKS = 45


# ----------------------------------------------------------------------------
# Puzzles (built here, never read from disk)

def canonical_grid():
    return np.array([[((r * 3 + r // 3 + c) % 9) + 1 for c in range(9)] for r in range(9)],
                    dtype=np.int64)


def random_solution(rng):
    g = canonical_grid()
    # digit relabelling
    relabel = np.concatenate([[0], rng.permutation(9) + 1])
    g = relabel[g]
    # row permutation: permute bands, then rows within each band
    bands = rng.permutation(3)
    rows = np.concatenate([b * 3 + rng.permutation(3) for b in bands])
    g = g[rows, :]
    # column permutation: permute stacks, then columns within each stack
    stacks = rng.permutation(3)
    cols = np.concatenate([s * 3 + rng.permutation(3) for s in stacks])
    g = g[:, cols]
    if rng.integers(2):
        g = g.T.copy()
    return g


def is_valid_solution(g):
    want = set(range(1, 10))
    for i in range(9):
        if set(g[i, :]) != want or set(g[:, i]) != want:
            return False
    for br in range(3):
        for bc in range(3):
            if set(g[br * 3:br * 3 + 3, bc * 3:bc * 3 + 3].ravel()) != want:
                return False
    return True


def make_batch(batch, seed=PUZZLE_SEED, n_blanks=N_BLANKS):
    rng = np.random.default_rng(seed)
    puzzles, solutions = [], []
    for _ in range(batch):
        sol = random_solution(rng)
        assert is_valid_solution(sol)
        flat = sol.ravel().copy()
        puz = flat.copy()
        puz[rng.choice(81, size=n_blanks, replace=False)] = 0
        puzzles.append(puz)
        solutions.append(flat)
    return np.stack(puzzles), np.stack(solutions)


def one_hot_810(puzzles, dtype=torch.float32):
    """x[b, cell*10 + digit] = 1, digit 0 = blank."""
    p = torch.as_tensor(puzzles, dtype=torch.long)
    return F.one_hot(p, 10).to(dtype).reshape(p.shape[0], 810)


def targets_of(solutions):
    return torch.as_tensor(solutions, dtype=torch.long) - 1  # [B, 81], values 0..8


# ----------------------------------------------------------------------------
# Architecture "flat"

class Block(nn.Module):
    """B(v) = Dropout(fc2(Dropout(GELU_erf(fc1(LayerNorm(v))))))"""

    def __init__(self, d, dropout):
        super().__init__()
        self.norm = nn.LayerNorm(d, eps=1e-5, elementwise_affine=True)
        self.fc1 = nn.Linear(d, 4 * d)
        self.fc2 = nn.Linear(4 * d, d)
        self.drop1 = nn.Dropout(dropout)
        self.drop2 = nn.Dropout(dropout)

    def forward(self, v):
        h = self.norm(v)
        h = self.fc1(h)
        h = F.gelu(h, approximate='none')  # exact erf GELU
        h = self.drop1(h)
        h = self.fc2(h)
        return self.drop2(h)


class ResidualStack(nn.Module):
    """S(u) = v_n - u where v_0 = u, v_i = v_{i-1} + B_i(v_{i-1})."""

    def __init__(self, d, n, dropout):
        super().__init__()
        self.blocks = nn.ModuleList([Block(d, dropout) for _ in range(n)])

    def forward(self, u):
        v = u
        for blk in self.blocks:
            v = v + blk(v)
        return v - u


class FlatTRM(nn.Module):
    DEEP_SUPERVISION = False

    @staticmethod
    def input_of(puzzles, dtype=torch.float32):
        return one_hot_810(puzzles, dtype)

    def __init__(self, cfg):
        super().__init__()
        d = cfg["hidden_dim"]
        self.cfg = cfg
        # registration order == canonical parameter order
        self.input_proj = nn.Linear(cfg["input_dim"], d, bias=True)
        self.latent_net = ResidualStack(d, cfg["L_layers"], cfg["dropout"])
        self.output_net = ResidualStack(d, cfg["O_layers"], cfg["dropout"])
        self.latent_gate = nn.Parameter(torch.full((1,), float(cfg["gate_init"])))
        self.output_gate = nn.Parameter(torch.full((1,), float(cfg["gate_init"])))
        self.output_head = nn.Linear(d, cfg["output_dim"], bias=False)

    def param_names(self):
        """Canonical order (JSON key order).  Note nn.Module.named_parameters() would
        list the directly-held gates first, so the order is spelled out here."""
        names = ["input_proj.weight", "input_proj.bias"]
        for stack, n in (("latent_net", self.cfg["L_layers"]), ("output_net", self.cfg["O_layers"])):
            for i in range(n):
                for leaf in ("norm.weight", "norm.bias", "fc1.weight", "fc1.bias",
                             "fc2.weight", "fc2.bias"):
                    names.append(f"{stack}.blocks.{i}.{leaf}")
        names += ["latent_gate", "output_gate", "output_head.weight"]
        assert sorted(names) == sorted(n for n, _ in self.named_parameters())
        return names

    @torch.no_grad()
    def randomise_for_fixture(self):
        """Make gate/LayerNorm gradients non-trivial (called after the default init)."""
        self.latent_gate.fill_(0.8)
        self.output_gate.fill_(1.2)
        for stack in (self.latent_net, self.output_net):
            for blk in stack.blocks:
                blk.norm.weight.copy_(1.0 + 0.1 * torch.randn_like(blk.norm.weight))
                blk.norm.bias.copy_(0.1 * torch.randn_like(blk.norm.bias))

    def forward(self, x):
        B = x.shape[0]
        d = self.cfg["hidden_dim"]
        x_emb = self.input_proj(x)
        z = torch.zeros(B, d, dtype=x.dtype)
        y = torch.zeros(B, d, dtype=x.dtype)
        cycle_logits, latent_update_norms = [], []
        for _h in range(self.cfg["H_cycles"]):
            for _l in range(self.cfg["L_cycles"]):
                z_new = z + self.latent_gate * self.latent_net(x_emb + y + z)
                latent_update_norms.append((z_new - z).detach().norm(dim=1))
                z = z_new
            y = y + self.output_gate * self.output_net(y + z)
            cycle_logits.append(self.output_head(y).detach().reshape(B, 81, 9))
        logits = self.output_head(y).reshape(B, 81, 9)
        return logits, cycle_logits, latent_update_norms


# ----------------------------------------------------------------------------
# Architecture "cells": one d-vector per cell, blocks mix each cell with the means
# of its row, column and 3x3 box.

def unit_indices():
    """[81, 9] long tensors: for cell c, the 9 cells of its row / column / box (c included)."""
    rows, cols, boxes = [], [], []
    for c in range(81):
        r, k = c // 9, c % 9
        b = (r // 3) * 3 + k // 3
        rows.append([r * 9 + j for j in range(9)])
        cols.append([i * 9 + k for i in range(9)])
        boxes.append([((b // 3) * 3 + i) * 9 + (b % 3) * 3 + j for i in range(3) for j in range(3)])
    for c in range(81):  # every unit holds the cell itself
        assert c in rows[c] and c in cols[c] and c in boxes[c]
    return tuple(torch.tensor(u, dtype=torch.long) for u in (rows, cols, boxes))


ROW_IDX, COL_IDX, BOX_IDX = unit_indices()


def unit_mean(h, idx):
    """h [B, 81, d] -> [B, 81, d]: out[b, c] = mean over j of h[b, idx[c, j]]."""
    return h[:, idx, :].mean(dim=2)


class CellBlock(nn.Module):
    """B(v) = Dropout(fc2(Dropout(GELU_erf(fc1(m))))),
    m = h + mix(cat[row_mean(h), col_mean(h), box_mean(h)]), h = LayerNorm(v)."""

    def __init__(self, d, dropout):
        super().__init__()
        self.norm = nn.LayerNorm(d, eps=1e-5, elementwise_affine=True)
        self.mix = nn.Linear(3 * d, d)
        self.fc1 = nn.Linear(d, 4 * d)
        self.fc2 = nn.Linear(4 * d, d)
        self.drop1 = nn.Dropout(dropout)
        self.drop2 = nn.Dropout(dropout)

    def forward(self, v):
        h = self.norm(v)
        r = unit_mean(h, ROW_IDX)
        k = unit_mean(h, COL_IDX)
        q = unit_mean(h, BOX_IDX)
        m = h + self.mix(torch.cat([r, k, q], dim=-1))
        t = self.fc1(m)
        t = F.gelu(t, approximate='none')  # exact erf GELU
        t = self.drop1(t)
        t = self.fc2(t)
        return self.drop2(t)


class CellStack(nn.Module):
    """S(u) = v_n - u where v_0 = u, v_i = v_{i-1} + B_i(v_{i-1})."""

    def __init__(self, d, n, dropout):
        super().__init__()
        self.blocks = nn.ModuleList([CellBlock(d, dropout) for _ in range(n)])

    def forward(self, u):
        v = u
        for blk in self.blocks:
            v = v + blk(v)
        return v - u


class CellsTRM(nn.Module):
    DEEP_SUPERVISION = True

    @staticmethod
    def input_of(puzzles, dtype=torch.float32):
        return torch.as_tensor(np.asarray(puzzles), dtype=torch.long)  # [B, 81] digits 0..9

    def __init__(self, cfg):
        super().__init__()
        d = cfg["hidden_dim"]
        self.cfg = cfg
        self.digit_embedding = nn.Embedding(10, d)
        self.position_embedding = nn.Embedding(81, d)
        self.latent_net = CellStack(d, cfg["L_layers"], cfg["dropout"])
        self.output_net = CellStack(d, cfg["O_layers"], cfg["dropout"])
        self.output_head = nn.Linear(d, 9, bias=True)
        self.latent_gate = nn.Parameter(torch.full((1,), float(cfg["gate_init"])))
        self.output_gate = nn.Parameter(torch.full((1,), float(cfg["gate_init"])))

    def param_names(self):
        names = ["digit_embedding.weight", "position_embedding.weight"]
        for stack, n in (("latent_net", self.cfg["L_layers"]), ("output_net", self.cfg["O_layers"])):
            for i in range(n):
                for leaf in ("norm.weight", "norm.bias", "mix.weight", "mix.bias",
                             "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"):
                    names.append(f"{stack}.blocks.{i}.{leaf}")
        names += ["output_head.weight", "output_head.bias", "latent_gate", "output_gate"]
        assert sorted(names) == sorted(n for n, _ in self.named_parameters())
        return names

    @torch.no_grad()
    def randomise_for_fixture(self):
        """Make gate/LayerNorm gradients non-trivial (called after the default init)."""
        self.latent_gate.fill_(0.8)
        self.output_gate.fill_(1.2)
        for stack in (self.latent_net, self.output_net):
            for blk in stack.blocks:
                blk.norm.weight.copy_(1.0 + 0.1 * torch.randn_like(blk.norm.weight))
                blk.norm.bias.copy_(0.1 * torch.randn_like(blk.norm.bias))

    def forward(self, puzzle):
        B = puzzle.shape[0]
        d = self.cfg["hidden_dim"]
        cells = torch.arange(81)
        x_emb = self.digit_embedding(puzzle) + self.position_embedding(cells)[None, :, :]  # [B, 81, d]
        z = torch.zeros(B, 81, d, dtype=x_emb.dtype)
        y = torch.zeros(B, 81, d, dtype=x_emb.dtype)
        cycle_logits, latent_update_norms = [], []
        for _h in range(self.cfg["H_cycles"]):
            for _l in range(self.cfg["L_cycles"]):
                z_new = z + self.latent_gate * self.latent_net(x_emb + y + z)
                # per puzzle: L2 norm over all 81*d entries of the update
                latent_update_norms.append((z_new - z).detach().reshape(B, -1).norm(dim=1))
                z = z_new
            y = y + self.output_gate * self.output_net(y + z)
            cycle_logits.append(self.output_head(y))  # [B, 81, 9], kept in the graph
        logits = cycle_logits[-1]
        return logits, cycle_logits, latent_update_norms


FLAT_CONFIG = {
    "arch": "flat", "input_dim": 810, "hidden_dim": 16, "output_dim": 729,
    "L_layers": 2, "L_cycles": 2, "H_cycles": 2, "O_layers": 2,
    "dropout": 0.0, "gate_init": 1.0, "lr": 0.01, "weight_decay": 0.1,
    "batch_size": 3, "epochs": 1, "warmup_steps": 0, "grad_clip": 1.0,
    "adam_beta1": 0.9, "adam_beta2": 0.999, "adam_eps": 1e-8,
}

CELLS_CONFIG = dict(FLAT_CONFIG, arch="cells", hidden_dim=8)
CELLS_SEED = 15  # chosen: clipping active in steps 1-2, not 3; float64 replay agrees to ~4e-7

# name -> (model class, fixture config, torch seed for the initial weights)
ARCHITECTURES = {
    "flat": (FlatTRM, FLAT_CONFIG, FLAT_SEED),
    "cells": (CellsTRM, CELLS_CONFIG, CELLS_SEED),
}


# ----------------------------------------------------------------------------
# Generic reference machinery

def ordered_params(model):
    """[(name, parameter)] in the architecture's canonical order."""
    d = dict(model.named_parameters())
    return [(n, d[n]) for n in model.param_names()]


def loss_fn(logits, targets):
    return F.cross_entropy(logits.reshape(-1, 9), targets.reshape(-1), reduction="mean")


def deep_supervision_loss(cycle_logits, targets):
    """Mean over outer cycles of the per-cycle loss (gradients flow through all cycles)."""
    return sum(loss_fn(c, targets) for c in cycle_logits) / len(cycle_logits)


def fnum(v):
    """Shortest decimal string that round-trips to the same float32."""
    v = np.float32(v)
    if not np.isfinite(v):
        raise ValueError("non-finite value in fixture")
    s = str(v)  # numpy gives the shortest float32 round-trip repr, e.g. '0.1', '1e-08'
    assert np.float32(float(s)) == v
    return s


class Raw:
    def __init__(self, text):
        self.text = text


def flist(t):
    arr = t.detach().to(torch.float32).reshape(-1).numpy() if isinstance(t, torch.Tensor) \
        else np.asarray(t, dtype=np.float32).reshape(-1)
    return Raw("[" + ",".join(fnum(v) for v in arr) + "]")


def dumps(obj, indent=0):
    """Tiny JSON writer: like json.dumps but lets Raw float lists through verbatim."""
    pad = "  " * (indent + 1)
    end = "  " * indent
    if isinstance(obj, Raw):
        return obj.text
    if isinstance(obj, dict):
        if not obj:
            return "{}"
        items = [pad + json.dumps(k) + ": " + dumps(v, indent + 1) for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + "\n" + end + "}"
    if isinstance(obj, (list, tuple)):
        if all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in obj):
            return "[" + ",".join(str(int(v)) for v in obj) + "]"
        return "[\n" + ",\n".join(pad + dumps(v, indent + 1) for v in obj) + "\n" + end + "]"
    if isinstance(obj, float):
        return fnum(obj)
    return json.dumps(obj)


def weights_json(model, cfg):
    tensors = {}
    for name, p in ordered_params(model):
        a = p.detach().to(torch.float32).contiguous().numpy().astype("<f4")
        tensors[name] = {"shape": list(p.shape), "dtype": "float32",
                         "data": base64.b64encode(a.tobytes()).decode("ascii")}
    return {"format": "trm-sudoku-weights", "version": 1, "config": dict(cfg), "tensors": tensors}


def make_optimizer(model, cfg):
    decay = [p for _, p in ordered_params(model) if p.dim() >= 2]
    no_decay = [p for _, p in ordered_params(model) if p.dim() < 2]
    return torch.optim.AdamW(
        [{"params": decay, "weight_decay": cfg["weight_decay"]},
         {"params": no_decay, "weight_decay": 0.0}],
        lr=cfg["lr"], betas=(cfg["adam_beta1"], cfg["adam_beta2"]), eps=cfg["adam_eps"],
        foreach=False)


def run_training(model, x, tgt, cfg, steps):
    """`steps` AdamW steps on the same batch; returns (losses [steps+1], pre-clip grad norms, clip coefs)."""
    model.train()
    opt = make_optimizer(model, cfg)
    params = [p for _, p in ordered_params(model)]
    losses, grad_norms, clip_coefs = [], [], []
    for _ in range(steps):
        opt.zero_grad(set_to_none=True)
        lg, _, _ = model(x)
        l = loss_fn(lg, tgt)
        losses.append(l.item())
        l.backward()
        # torch: total = ||(||g_i||_2)_i||_2 ; coef = clamp(max_norm / (total + 1e-6), max=1); g *= coef
        gn = torch.nn.utils.clip_grad_norm_(params, cfg["grad_clip"])
        grad_norms.append(gn.item())
        clip_coefs.append(min(1.0, cfg["grad_clip"] / (gn.item() + 1e-6)))
        opt.step()
    with torch.no_grad():
        model.eval()
        lg, _, _ = model(x)
        losses.append(loss_fn(lg, tgt).item())
    return losses, grad_norms, clip_coefs


def gradcheck_self_test(model_cls, base_cfg):
    """float64 gradcheck of d(loss)/d(every parameter) on a tiny instance (not saved);
    for deep-supervised architectures also of the deep-supervision loss."""
    from torch.nn.utils.stateless import functional_call
    cfg = dict(base_cfg, hidden_dim=4, L_layers=2, O_layers=2, L_cycles=2, H_cycles=2, dropout=0.0)
    torch.manual_seed(7)
    model = model_cls(cfg).double()
    model.randomise_for_fixture()
    model.eval()
    puz, sol = make_batch(2, seed=99)
    x = model_cls.input_of(puz, torch.float64)
    tgt = targets_of(sol)
    names = model.param_names()
    params = tuple(p.detach().clone().requires_grad_(True) for _, p in ordered_params(model))
    n = sum(p.numel() for p in params)

    losses = {"loss": lambda lg, cyc: loss_fn(lg, tgt)}
    if model_cls.DEEP_SUPERVISION:
        losses["deep-supervision loss"] = lambda lg, cyc: deep_supervision_loss(cyc, tgt)
    for what, lf in losses.items():
        def f(*ps, lf=lf):
            logits, cyc, _ = functional_call(model, dict(zip(names, ps)), (x,))
            return lf(logits, cyc)

        ok = torch.autograd.gradcheck(f, params, eps=1e-6, atol=1e-7, rtol=1e-5)
        print(f"[{base_cfg['arch']}] gradcheck float64 of the {what} (d=4, {n} params): "
              f"{'OK' if ok else 'FAILED'}")
        if not ok:
            sys.exit(1)


def unit_mean_self_test():
    """Cross-check the gather-based row/column/box means against a reshape-based form."""
    torch.manual_seed(3)
    h = torch.randn(2, 81, 5, dtype=torch.float64)
    g = h.reshape(2, 9, 9, 5)  # [B, row, col, d]
    row = g.mean(dim=2, keepdim=True).expand(-1, -1, 9, -1).reshape(2, 81, 5)
    col = g.mean(dim=1, keepdim=True).expand(-1, 9, -1, -1).reshape(2, 81, 5)
    gb = g.reshape(2, 3, 3, 3, 3, 5)  # [B, band, row-in-band, stack, col-in-stack, d]
    box = gb.mean(dim=(2, 4), keepdim=True).expand(-1, -1, 3, -1, 3, -1).reshape(2, 81, 5)
    for name, idx, ref in (("row", ROW_IDX, row), ("col", COL_IDX, col), ("box", BOX_IDX, box)):
        err = (unit_mean(h, idx) - ref).abs().max().item()
        assert err < 1e-12, f"{name} mean mismatch {err}"
    print("[cells] row/column/box means agree with the reshape form")


def build_fixture(arch, seed=None, write=True, self_test=True):
    model_cls, cfg, default_seed = ARCHITECTURES[arch]
    seed = default_seed if seed is None else seed
    if self_test:
        if model_cls is CellsTRM:
            unit_mean_self_test()
        gradcheck_self_test(model_cls, cfg)

    torch.manual_seed(seed)
    model = model_cls(cfg)
    model.randomise_for_fixture()
    names = model.param_names()

    B = cfg["batch_size"]
    puzzles, solutions = make_batch(B)
    x = model_cls.input_of(puzzles)
    tgt = targets_of(solutions)

    weights = weights_json(model, cfg)

    # ---- forward / backward in eval mode
    model.eval()
    model.zero_grad(set_to_none=True)
    logits, cycle_logits, upd_norms = model(x)
    loss = loss_fn(logits, tgt)
    loss.backward()
    grad_tensors = {n: p.grad.detach().clone() for n, p in ordered_params(model)}
    grads = {n: flist(g) for n, g in grad_tensors.items()}
    assert torch.equal(cycle_logits[-1], logits.detach())

    # ---- deep supervision (initial weights, eval mode): mean over outer cycles of the
    # per-cycle loss, differentiated through every cycle
    ds = None
    if model_cls.DEEP_SUPERVISION:
        model.zero_grad(set_to_none=True)
        _, cyc, _ = model(x)
        ds_loss = deep_supervision_loss(cyc, tgt)
        ds_loss.backward()
        ds_grad_tensors = {n: p.grad.detach().clone() for n, p in ordered_params(model)}
        ds = {"loss": float(np.float32(ds_loss.item())),
              "grads": {n: flist(g) for n, g in ds_grad_tensors.items()}}
        model.zero_grad(set_to_none=True)

    # ---- training steps
    steps = 3
    losses, grad_norms, clip_coefs = run_training(model, x, tgt, cfg, steps)

    # ---- robustness check: the same training in float64 must land on (nearly) the same
    # parameters.  Adam normalises each gradient element, so an element whose gradient is
    # ~0 by cancellation is decided by rounding noise; the seed is chosen so that this
    # fixture has no such element (another correct float32 implementation should agree).
    torch.manual_seed(seed)
    m64 = model_cls(cfg)
    m64.randomise_for_fixture()
    m64 = m64.double()
    run_training(m64, model_cls.input_of(puzzles, torch.float64), tgt, cfg, steps)
    replay_diff = max((p.detach().double() - q.detach()).abs().max().item()
                      for (_, p), (_, q) in zip(ordered_params(model), ordered_params(m64)))
    if not write:
        return {"grad_norms": grad_norms, "replay_diff": replay_diff, "losses": losses}
    assert replay_diff < 1e-5, f"fixture fragile: float64 replay differs by {replay_diff}"

    fixture = {
        "weights": f"weights_{arch}.json",
        "batch": B,
        "puzzles": [[int(v) for v in p] for p in puzzles],
        "solutions": [[int(v) for v in s] for s in solutions],
        "logits": flist(logits),
        "cycle_logits": [flist(c) for c in cycle_logits],
        "latent_update_norms": [flist(n) for n in upd_norms],
        "loss": float(np.float32(loss.item())),
        "grads": grads,
        **({"deep_supervision": ds} if ds is not None else {}),
        "train": {
            "steps": steps, "lr": cfg["lr"], "weight_decay": cfg["weight_decay"],
            "beta1": cfg["adam_beta1"], "beta2": cfg["adam_beta2"], "eps": cfg["adam_eps"],
            "grad_clip": cfg["grad_clip"],
            "losses": flist(losses),
            "grad_norms": flist(grad_norms),
            "final_params": {n: flist(p) for n, p in ordered_params(model)},
        },
    }
    # param order sanity
    assert list(grads.keys()) == names == list(weights["tensors"].keys())

    wpath = os.path.join(HERE, f"weights_{arch}.json")
    fpath = os.path.join(HERE, f"fixture_{arch}.json")
    with open(wpath, "w") as fh:
        json.dump(weights, fh, indent=1)
        fh.write("\n")
    with open(fpath, "w") as fh:
        fh.write(dumps(fixture))
        fh.write("\n")

    # ---- re-read and check round-trip
    with open(wpath) as fh:
        w2 = json.load(fh)
    torch.manual_seed(seed)
    m0 = model_cls(cfg)
    m0.randomise_for_fixture()
    for n, p in ordered_params(m0):
        t = w2["tensors"][n]
        a = np.frombuffer(base64.b64decode(t["data"]), dtype="<f4").reshape(t["shape"])
        assert np.array_equal(a, p.detach().numpy()), n
    with open(fpath) as fh:
        f2 = json.load(fh)
    assert np.array_equal(np.float32(f2["logits"]), logits.detach().numpy().reshape(-1))

    n_params = sum(p.numel() for p in model.parameters())
    print(f"[{arch}] params: {n_params}")
    print(f"[{arch}] puzzles: blanks per puzzle = {[int((p == 0).sum()) for p in puzzles]}")
    print(f"[{arch}] loss (eval, initial weights): {loss.item():.9g}")
    print(f"[{arch}] latent update norms: " +
          "; ".join(",".join(f"{v:.4g}" for v in n.tolist()) for n in upd_norms))
    print(f"[{arch}] per-param grad L2 norms:")
    for n, g in grad_tensors.items():
        print(f"    {n:32s} {g.norm().item():.6g}")
    if ds is not None:
        print(f"[{arch}] deep-supervision loss (mean over {len(cycle_logits)} cycles): "
              f"{ds['loss']:.9g}; per cycle: " +
              ", ".join(f"{loss_fn(c, tgt).item():.9g}" for c in cycle_logits))
        print(f"[{arch}] deep-supervision per-param grad L2 norms:")
        for n, g in ds_grad_tensors.items():
            print(f"    {n:32s} {g.norm().item():.6g}")
    print(f"[{arch}] train losses: {[f'{v:.9g}' for v in losses]}")
    print(f"[{arch}] train grad norms (pre-clip): {[f'{v:.9g}' for v in grad_norms]}")
    print(f"[{arch}] float64 replay of training: max |param diff| = {replay_diff:.3g}")
    print(f"[{arch}] clip coefficients applied: {[f'{v:.9g}' for v in clip_coefs]}")
    for p in (wpath, fpath):
        print(f"[{arch}] wrote {os.path.relpath(p, os.path.dirname(os.path.dirname(HERE)))}"
              f" ({os.path.getsize(p)} bytes)")
    return grad_norms


def main():
    torch.set_num_threads(1)  # deterministic reduction order
    for arch in ARCHITECTURES:
        build_fixture(arch)


if __name__ == "__main__":
    main()
