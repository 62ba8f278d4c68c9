"""Summarises the JSON written by ultraep-throughput.sh: per model and imbalance, UltraEP's share of the ideal and its
speed-ups, with and without reordering the masters across domains between batches (ultraep-reorder)."""
import json,sys,statistics as st
folder=sys.argv[1] if len(sys.argv)>1 else 'artifacts/scenarios/ultraep'
def load(f):
    r=json.load(open(f)); return r,{p['policy']:p for p in r['policies']}
models=['deepseek-v3','qwen3-235b-a22b','glm-4.5-air']
for hw in ['h800','nvl72']:
    print(f"== zipf, 16 microbatches, {hw} (table: seed 1) ==")
    print(f"{'model':17}{'imb':>5}{'init':>7}{'dom':>5}{'u%ideal':>9}{'u/none':>8}{'u/eplb':>8}{'u/oracle':>9}{'eplb%':>7}{'none%':>7}{'u imb':>8}{'eplb imb':>9}{'plan us':>8}{'u GB':>7}{'exp.sync':>9}{'ideal*':>7}{'r%ideal':>9}{'r/none':>8}{'r/eplb':>8}{'r imb':>8}{'r sync':>8}")
    allr=[];ge2=[];allrr=[];ge2r=[]
    for m in models:
        for imb in ['1.5','2.0','2.5','3.0']:
            d,p=load(f'{folder}/zipf-{hw}-{m}-{imb}-s1.json')
            u,e,n,o=p['ultraep'],p['eplb'],p['none'],p['eplb-oracle']
            ue=e['stepSeconds']/u['stepSeconds']; uo=o['stepSeconds']/u['stepSeconds']
            allr.append(u['ratioToIdeal'])
            rr=p['ultraep-reorder']; allrr.append(rr['ratioToIdeal'])
            if float(imb)>=2.0: ge2.append(u['ratioToNone']); ge2r.append(rr['ratioToNone'])
            print(f"{m:17}{imb:>5}{d['initialImbalance']:7.3f}{d['ranksPerDomain']:5d}{100*u['ratioToIdeal']:8.1f}%{u['ratioToNone']:8.3f}{ue:8.3f}{uo:9.3f}{100*e['ratioToIdeal']:6.1f}%{100*n['ratioToIdeal']:6.1f}%{u['imbalance']:8.4f}{e['imbalance']:9.4f}{d['plannerMicrosecondsPerLayer']['median']:8.1f}{u['bytesSynced']/1e9:7.1f}{u['meanSeconds']['exposedWeightSync']*1e3:9.3f}{d['idealAllToAllFromPlans']:7d}{100*rr['ratioToIdeal']:8.1f}%{rr['ratioToNone']:8.3f}{e['stepSeconds']/rr['stepSeconds']:8.3f}{rr['imbalance']:8.4f}{rr['meanSeconds']['exposedWeightSync']*1e3:8.3f}")
    print(f"  mean ultraep % of ideal over 3 models x 4 imbalances: {100*st.mean(allr):.1f}%  (min {100*min(allr):.1f}%)")
    print(f"  ultraep / none at imbalance >= 2.0: mean {st.mean(ge2):.3f}, min {min(ge2):.3f}")
    print(f"  mean ultraep-reorder % of ideal: {100*st.mean(allrr):.1f}%  (min {100*min(allrr):.1f}%); / none at >= 2.0: mean {st.mean(ge2r):.3f}, min {min(ge2r):.3f}")
    for seed in [1,2,3]:
        rs=[];us=[]
        for m in models:
            for imb in ['1.5','2.0','2.5','3.0']:
                d,p=load(f'{folder}/zipf-{hw}-{m}-{imb}-s{seed}.json')
                us.append(p['ultraep']['ratioToIdeal']); rs.append(p['ultraep-reorder']['ratioToIdeal'])
        print(f"  seed {seed}: mean % of ideal ultraep {100*st.mean(us):.1f}%, ultraep-reorder {100*st.mean(rs):.1f}% (min {100*min(rs):.1f}%)")
    print(f"-- rotating, 16 microbatches, {hw} --")
    for m in models:
        for imb in ['2.0','3.0']:
            d,p=load(f'{folder}/rotating-{hw}-{m}-{imb}.json')
            u,e,o,rr=p['ultraep'],p['eplb'],p['eplb-oracle'],p['ultraep-reorder']
            print(f"{m:17}{imb:>5}  ultraep {100*u['ratioToIdeal']:5.1f}% of ideal, eplb {100*e['ratioToIdeal']:5.1f}%, eplb-oracle {100*o['ratioToIdeal']:5.1f}%; ultraep/eplb {e['stepSeconds']/u['stepSeconds']:.3f}, ultraep/none {u['ratioToNone']:.3f}; imbalance ultraep {u['imbalance']:.4f} eplb {e['imbalance']:.4f}; ultraep-reorder {100*rr['ratioToIdeal']:5.1f}%, /eplb {e['stepSeconds']/rr['stepSeconds']:.3f}")
