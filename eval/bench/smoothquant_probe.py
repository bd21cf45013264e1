"""SmoothQuant probe (not in the product): per-input-channel activation maxima from 4 realistic prompts
in float32, each projection's columns scaled by max|x|^a / max|W|^(1-a) before int8, its input divided
back; top-1 agreement with float32 measured as in int8_agreement.py.

    python eval/bench/smoothquant_probe.py 0.65"""
import json, sys, torch, warnings, os
import torch.nn.functional as F
import codegen.model.gemma_native as gn
from codegen.model.load import load_merged
from codegen.prompt import render_task_prompt
torch.set_num_threads(1)
alpha = float(sys.argv[1]) if len(sys.argv) > 1 else 0.5
model, tok, info = load_merged(None, "default", dtype="float32", native=True)
folder = info["merged"]
rows = [json.loads(l) for l in open("eval/bench/realistic.jsonl")]
calib = [render_task_prompt(r["prompt"], r.get("context")) for r in rows[10:14]]
test_rows = rows[:8]
prompts = [render_task_prompt(r["prompt"], r.get("context")) for r in test_rows] + [render_task_prompt(x) for x in
           ["install nginx", "add the user alice to the wheel group", "schedule /usr/local/bin/backup every day at 2am"]]
enc = lambda p: tok(p)["input_ids"] if callable(tok) else tok.encode(p)
head = model.get_output_embeddings().weight
# calibration: record per-input-channel absmax of each projection input
stats = {}
orig_linear = model._linear
def rec(x, w):
    key = id(w)
    m = x.detach().abs().reshape(-1, x.shape[-1]).amax(0)
    stats[key] = torch.maximum(stats[key], m) if key in stats else m
    return orig_linear(x, w)
model._linear = rec
for p in calib:
    model(input_ids=torch.tensor([enc(p)]))
model._linear = orig_linear
prepack, run = torch.ops.quantized.linear_prepack, torch.ops.quantized.linear_dynamic
def pack(w, act):
    w = w.float()
    s = (act.clamp(min=1e-5) ** alpha) / (w.abs().amax(0).clamp(min=1e-5) ** (1 - alpha))
    ws = w * s[None, :]
    scale = (ws.abs().amax(1) / 127).clamp(min=1e-8).double()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        q = prepack(torch.quantize_per_channel(ws, scale, torch.zeros(w.shape[0], dtype=torch.long), 0, torch.qint8), None)
    return (q, w, (1.0 / s))
def lin(x, packed):
    if isinstance(packed, torch.Tensor):
        return F.linear(x, packed)
    q, w, inv = packed
    if x.numel() // x.shape[-1] > 16:
        return F.linear(x, w)
    return run(x * inv, q, True)
m2 = gn.NativeGemma3(folder, dtype="float32")
for L, L2 in zip(model.layers, m2.layers):
    for name in ("qkv", "o", "gate_up", "down"):
        setattr(L2, name, pack(getattr(L, name), stats[id(getattr(L, name))]))
m2._linear = lin
def greedy(m, ids, n=40):
    out = m(input_ids=torch.tensor([ids])); cache = out.cache; seq = []; h = out.last_hidden_state[0, -1]
    for _ in range(n):
        t = int(torch.argmax(h @ head.T)); seq.append(t)
        out = m(input_ids=torch.tensor([[t]]), cache=cache); h = out.last_hidden_state[0, -1]
    return seq
def forced(m, ids, seq):
    out = m(input_ids=torch.tensor([ids])); cache = out.cache
    preds = [int(torch.argmax(out.last_hidden_state[0, -1] @ head.T))]
    for t in seq[:-1]:
        out = m(input_ids=torch.tensor([[t]]), cache=cache); preds.append(int(torch.argmax(out.last_hidden_state[0, -1] @ head.T)))
    return preds
agree = total = 0
for p in prompts:
    ids = enc(p); ref = greedy(model, ids); pr = forced(m2, ids, ref)
    agree += sum(a == b for a, b in zip(pr, ref)); total += len(ref)
print("alpha", alpha, "smooth int8 top1 agreement", agree / total)
