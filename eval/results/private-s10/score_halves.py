import json,yaml,sys
from codegen.grounding.candidates import shipped_collections
sh=shipped_collections()
tot={'fit':0,'mod':0,'ok':0,'ctl':0,'wrong':0}
for h in 'ab':
    cases=yaml.safe_load(open(f'/work/s10/bench-{h}.yml'))
    for line in open(f'/work/s10/ev/{sys.argv[1]}-{h}/adapter-retrieval.jsonl'):
        r=json.loads(line); c=cases[int(r['id'].split('-')[1])]
        if c['fits']=='private':
            tot['fit']+=1; tot['mod']+=r['module_match']; tot['ok']+=r['correct']
        else:
            tot['ctl']+=1
            w=(r['prediction'] or '').split('\n')
            tot['wrong']+=any(l.startswith('  ') and l.strip().endswith(':') and l.count('.')>=2 and '.'.join(l.strip().split('.')[:2]) not in sh for l in w if not l.startswith('   '))
print(tot, 'module %.3f values %.3f ctl wrong %.3f' % (tot['mod']/tot['fit'], tot['ok']/tot['fit'], tot['wrong']/tot['ctl']))
