"""Top-1 agreement with float32 of int8 (or bf16), teacher-forced on float32's own greedy continuations
of 11 prompts (8 realistic requests with their file, 3 plain ones), 40 tokens each.

    python eval/bench/int8_agreement.py int8      # the opt-in int8 decoder
    python eval/bench/int8_agreement.py fp16      # float16 weights, float32 arithmetic
    python eval/bench/int8_agreement.py bf16      # bf16 weights, for scale"""
import json, sys, torch
import codegen.model.gemma_native as gn
from codegen.model.load import load_merged
from codegen.prompt import render_task_prompt
torch.set_num_threads(1)
model, tok, info = load_merged(None, "default", dtype="float32", native=True)
folder = info["merged"]
rows = [json.loads(l) for l in open("eval/bench/realistic.jsonl")][:8]
prompts = [render_task_prompt(r["prompt"], r.get("context")) for r in rows] + [render_task_prompt(x) for x in
           ["install nginx", "add the user alice to the wheel group", "schedule /usr/local/bin/backup every day at 2am"]]
head = model.get_output_embeddings().weight
def greedy(m, ids, n=40):
    out = m(input_ids=torch.tensor([ids])); cache = out.cache
    seq = []
    h = out.last_hidden_state[0, -1]
    for _ in range(n):
        t = int(torch.argmax(h @ head.T)); seq.append(t)
        out = m(input_ids=torch.tensor([[t]]), cache=cache); h = out.last_hidden_state[0, -1]
    return seq
def forced(m, ids, seq, step):
    out = m(input_ids=torch.tensor([ids])); cache = out.cache
    preds = [int(torch.argmax(out.last_hidden_state[0, -1].float() @ head.T))]
    i = 0
    while i < len(seq) - 1:
        chunk = seq[i:i + step]
        out = m(input_ids=torch.tensor([chunk]), cache=cache)
        preds += [int(torch.argmax(out.last_hidden_state[0, k].float() @ head.T)) for k in range(len(chunk))]
        i += len(chunk)
    return preds[:len(seq)]
ids_list = [tok(p)["input_ids"] if callable(tok) else tok.encode(p) for p in prompts]
refs = [greedy(model, ids) for ids in ids_list]
variants = sys.argv[1:]
for v in variants:
    m = (gn.NativeGemma3(folder, dtype="float32", quantize=v) if v in gn.QUANTIZATIONS
         else gn.NativeGemma3(folder, dtype="bfloat16"))
    agree = total = 0
    for ids, ref in zip(ids_list, refs):
        p = forced(m, ids, ref, 1)
        agree += sum(a == b for a, b in zip(p, ref)); total += len(ref)
    print(v, "top1 agreement", agree / total)
