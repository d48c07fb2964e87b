import { listMilestones } from './course/layout.ts';
import { runMilestone } from './tools/grader/isolate.ts';
const all = listMilestones('solutions');
const m = all.find((x) => x.id === 'p1/m1')!;
const opts = (sub: string) => ({ submission: sub, milestone: m, all, listed: all.filter((x) => x.id === 'p1/m1' || x.id === 'p3/m4'), canonicalRoot: process.cwd() + '/solutions', independent: true, wallMs: 60000, testTimeoutMs: 15000, memoryMb: 1024, sandbox: true });
const rs = await Promise.all([runMilestone(opts(process.cwd() + '/solutions')), runMilestone(opts(process.cwd() + '/exercises'))]);
for (const r of rs) console.log(r.runError, r.tampering, r.tests.filter((t) => t.status === 'passed').length);
