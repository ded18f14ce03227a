// simulate.cjs runs each simulation read from stdin (a JSON array in
// iam-simulate's Simulation shape) through @cloud-copilot/iam-simulate and
// writes a JSON array of {result, error}: result is "Allowed",
// "ExplicitlyDenied" or "ImplicitlyDenied". The package is loaded from the
// directory given as the first argument (its node_modules), installed by
// corpus_test.go; it is a test tool, never shipped.
const { createRequire } = require('node:module')
const path = require('node:path')

const load = createRequire(path.join(process.argv[2], 'package.json'))
const { runSimulation } = load('@cloud-copilot/iam-simulate')

async function main() {
  const chunks = []
  for await (const c of process.stdin) chunks.push(c)
  const sims = JSON.parse(Buffer.concat(chunks).toString('utf8'))
  const out = []
  for (const sim of sims) {
    try {
      const r = await runSimulation(sim, {})
      if (r.resultType === 'error') {
        out.push({ error: JSON.stringify(r.errors) })
      } else {
        out.push({ result: r.overallResult })
      }
    } catch (e) {
      out.push({ error: String(e && e.stack || e) })
    }
  }
  process.stdout.write(JSON.stringify(out))
}

main().catch((e) => {
  process.stderr.write(String(e && e.stack || e))
  process.exit(1)
})
