package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact/types"

	"github.com/arcahq/arca/bench/fixture"
	"github.com/arcahq/arca/internal/store/engine"
)

// The scale scenario: what a publish and a document read cost as one
// package grows (-scale-versions checkpoints, per format in
// -scale-formats), and as a repository grows in packages
// (-scale-packages checkpoints, with -scale-writers concurrent writers).
// At each versions checkpoint it measures
//
//   - the publish: the median time of the last scaleProbe publishes before
//     the checkpoint, and the seeding rate of the segment before it;
//   - the read after the seeding, on its own (its server CPU): the seeding
//     reads nothing, so that read makes the document from every version
//     published since the last read, once;
//   - the first read after a publish (median of scaleProbe publish-then-read
//     pairs, after that read), checking that the read shows the version
//     just published;
//   - the document read idle, then while one client publishes new
//     versions of the package nonstop (each publish followed by a read that
//     must show it: "own publish seen"), or at -scale-busy-rate; its
//     payloads are built before, so that the window holds only requests,
//     and its publishes/s and the server's CPU per publish in the window
//     are reported with the CPU split of the server and this process;
//   - the server's peak RSS over the checkpoint, and its RSS after
//     quietWait without requests.
//
// The versions the probes and the busy publisher add are deleted
// (DeletePackageVersions) before the next checkpoint, so that each
// starts from the package as the seeding left it.

// scaleProbe is how many publishes (and publish-then-read pairs) each
// checkpoint times.
const scaleProbe = 20

// scaleRow is one versions checkpoint of one format.
type scaleRow struct {
	Format      string        `json:"format"`
	Server      string        `json:"server"` // "arca", or "arca (postgres+s3)" with -backend
	Versions    int           `json:"versions"`
	Publish     time.Duration `json:"publish_ns"`       // median of scaleProbe publishes
	SeedRate    float64       `json:"seed_per_s"`       // publishes/s over the segment before the checkpoint
	FirstRead   time.Duration `json:"first_read_ns"`    // median read right after a publish
	PublishCPU  time.Duration `json:"publish_cpu_ns"`   // server CPU per timed publish
	PairCPU     time.Duration `json:"pair_cpu_ns"`      // server CPU per publish followed by a read
	SeedReadCPU time.Duration `json:"seed_read_cpu_ns"` // server CPU of the read after the seeding
	Idle        *result       `json:"idle,omitempty"`   // document reads, nobody publishing
	Lookup      *result       `json:"lookup,omitempty"` // lookups (scaleTarget.lookup), nobody publishing
	Busy        *result       `json:"busy,omitempty"`   // document reads, one client publishing nonstop
	BusyPublish int           `json:"busy_publishes"`   // versions the busy publisher added
	// The busy publisher in the measured window: its publishes, their
	// rate, and the server's CPU per publish (the window's server CPU
	// less the reads at their idle CPU/req, per publish: the publish,
	// its read, and the rebuild it causes the readers).
	BusyWindowPublishes int           `json:"busy_window_publishes"`
	BusyPublishRate     float64       `json:"busy_publish_per_s"`
	BusyPublishCPU      time.Duration `json:"busy_publish_cpu_ns"`
	BusyPrebuilt        int           `json:"busy_prebuilt"`   // payloads built before the busy phase
	BusyBuilt           int           `json:"busy_built"`      // payloads built during it (the prebuilt ran out)
	OwnStale            int           `json:"own_stale"`       // its reads that missed its own publish
	PeakRSS             int64         `json:"peak_rss"`        // over the checkpoint
	QuietRSS            int64         `json:"quiet_rss"`       // quietWait after it
	QuietAnon           int64         `json:"quiet_anon"`      // its anonymous part (heap, stacks)
	DocumentSize        int           `json:"document_bytes"`  // the document's size (uncompressed)
	Err                 string        `json:"error,omitempty"` // why the checkpoint did not finish
	Extra               string        `json:"extra,omitempty"` // anything else to print
}

// scalePackagesRow is one packages checkpoint of one format.
type scalePackagesRow struct {
	Format     string        `json:"format"`
	Server     string        `json:"server"`
	Packages   int           `json:"packages"`
	Writers    int           `json:"writers"`
	Rate       float64       `json:"publish_per_s"` // over the segment before the checkpoint
	Publish    time.Duration `json:"publish_p50_ns"`
	PublishP99 time.Duration `json:"publish_p99_ns"`
	PublishCPU time.Duration `json:"publish_cpu_ns"`   // server CPU per publish of the segment
	Others     float64       `json:"others"`           // share of the machine other processes used while seeding
	Read       *result       `json:"read,omitempty"`   // one package's document, idle
	Asset      *result       `json:"asset,omitempty"`  // that package's tarball or wheel, idle
	PeakRSS    int64         `json:"peak_rss"`         // over the checkpoint
	QuietRSS   int64         `json:"quiet_rss"`        // quietWait after it
	QuietAnon  int64         `json:"quiet_anon"`       // its anonymous part (heap, stacks)
	Database   int64         `json:"database_bytes"`   // on disk: the database with its WAL
	Blobs      int64         `json:"blobs_bytes"`      // on disk: the blob directory
	OtherData  int64         `json:"other_data_bytes"` // on disk: the rest of the data directory (logs)
}

// scaleTarget is what the scale scenario needs of a format: how to
// publish the i-th version of the growing package (or of package p), and
// the document that lists them.
type scaleTarget struct {
	format types.PackageFormat
	// prepare builds what publishing version number i of package pkg
	// sends, to be sent now or later (the busy publisher builds its
	// payloads before the window it is measured in).
	prepare func(pkg string, i int) (scalePayload, error)
	// version is how version number i is spelled (to look for it in the
	// document).
	version func(i int) string
	// doc is the document of package pkg, as the format's client asks.
	doc func(pkg string) target
	// lookup, when the format has one, is a search that finds package
	// pkg among the repository's (Swift's identifiers of a repository
	// URL): measured idle beside the document.
	lookup func(pkg string) target
}

// scalePayload is a publish built and ready to send.
type scalePayload struct {
	send func() error // sends the publish's requests
	size int          // bytes held until then
}

// publish builds and sends version number i of package pkg.
func (t scaleTarget) publish(pkg string, i int) error {
	p, err := t.prepare(pkg, i)
	if err != nil {
		return err
	}
	return p.send()
}

// scaleTargets returns the scale scenario's formats for an Arca whose
// endpoint for the format is ep.
func scaleTargets(a scenarioArca, format string) (scaleTarget, error) {
	switch format {
	case "npm":
		reg := npmRegistry{name: "arca", registry: a.ep, auth: a.bearer()}
		return scaleTarget{
			format:  types.PackageFormatNpm,
			version: func(i int) string { return fmt.Sprintf("1.%d.%d", i/1000, i%1000) },
			prepare: func(pkg string, i int) (scalePayload, error) {
				v, err := fixture.NPMTarball(pkg, fmt.Sprintf("1.%d.%d", i/1000, i%1000), map[string]string{"left-pad": "^1.0.0"}, 0, uint64(i))
				if err != nil {
					return scalePayload{}, err
				}
				body := reg.publishBody(v)
				return scalePayload{size: len(body), send: func() error { return reg.put(v, body) }}, nil
			},
			doc: func(pkg string) target {
				return target{url: a.ep + pkg, header: reg.header(npmAccept), size: -1}
			},
		}, nil
	case "pypi":
		return scaleTarget{
			format:  types.PackageFormatPypi,
			version: func(i int) string { return fmt.Sprintf("1.%d.%d", i/1000, i%1000) },
			prepare: func(pkg string, i int) (scalePayload, error) {
				v := fmt.Sprintf("1.%d.%d", i/1000, i%1000)
				name, data := fixture.Wheel(pkg, v, 0, uint64(i))
				ct, body := fixture.TwineBody(pkg, v, name, data)
				return scalePayload{size: len(body), send: func() error {
					req, _ := http.NewRequest(http.MethodPost, a.ep, bytes.NewReader(body))
					req.Header.Set("Content-Type", ct)
					req.Header.Set("Authorization", a.basic())
					req.Header.Set("User-Agent", "twine/6.1.0 CPython/3.11.7")
					_, _, err := do(req)
					return err
				}}, nil
			},
			doc: func(pkg string) target {
				return target{url: a.ep + "simple/" + pkg + "/", header: withAccept(pipHeader(a.basic()), pipAccept), size: -1}
			},
		}, nil
	case "maven":
		// mvn deploy uploads the artifact's metadata as the repository
		// had it plus the new version: that publishes it. seededLines are
		// the <version> lines of the seeding's versions (numbers below
		// 1000000), the probes' and busy publisher's versions each adding
		// theirs to them.
		var seededLines []byte
		seeded := 0
		return scaleTarget{
			format:  types.PackageFormatMaven,
			version: func(i int) string { return fmt.Sprintf("1.%d.%d", i/1000, i%1000) },
			prepare: func(pkg string, i int) (scalePayload, error) {
				v := fmt.Sprintf("1.%d.%d", i/1000, i%1000)
				base := a.ep + strings.ReplaceAll(mavenGroup, ".", "/") + "/" + pkg + "/" + v + "/" + pkg + "-" + v
				pom := fmt.Appendf(nil, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<project xmlns=\"http://maven.apache.org/POM/4.0.0\">\n  <modelVersion>4.0.0</modelVersion>\n  <groupId>%s</groupId>\n  <artifactId>%s</artifactId>\n  <version>%s</version>\n</project>\n", mavenGroup, pkg, v)
				jar := fixture.Jar(mavenGroup, pkg, v, 1<<10, uint64(i))
				for ; seeded <= i && i < 1000000; seeded++ {
					seededLines = fmt.Appendf(seededLines, "      <version>1.%d.%d</version>\n", seeded/1000, seeded%1000)
				}
				// The metadata: head, the seeded versions' lines (shared by
				// every payload built before the seeding goes on: appends
				// write past their length), tail.
				head := fmt.Appendf(nil, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<metadata>\n  <groupId>%s</groupId>\n  <artifactId>%s</artifactId>\n  <versioning>\n    <latest>%s</latest>\n    <release>%s</release>\n    <versions>\n", mavenGroup, pkg, v, v)
				lines := seededLines[:len(seededLines):len(seededLines)]
				var tail []byte
				if i >= 1000000 {
					tail = fmt.Appendf(tail, "      <version>%s</version>\n", v)
				}
				tail = append(tail, "    </versions>\n    <lastUpdated>20261207120000</lastUpdated>\n  </versioning>\n</metadata>\n"...)
				return scalePayload{size: len(jar) + len(pom) + len(head) + len(tail), send: func() error {
					if err := mavenPut(base+".jar", a.basic(), jar); err != nil {
						return err
					}
					if err := mavenPut(base+".pom", a.basic(), pom); err != nil {
						return err
					}
					return mavenPut(a.ep+strings.ReplaceAll(mavenGroup, ".", "/")+"/"+pkg+"/maven-metadata.xml", a.basic(), head, lines, tail)
				}}, nil
			},
			doc: func(pkg string) target {
				return target{url: a.ep + strings.ReplaceAll(mavenGroup, ".", "/") + "/" + pkg + "/maven-metadata.xml", header: mavenHeader(a.basic()), size: -1}
			},
		}, nil
	}
	return scaleFormatTarget(a, format)
}

// scaleBusyBytes bounds the memory the busy publisher's prebuilt
// payloads take.
const scaleBusyBytes = 256 << 20

// scaleBusyCount is how many payloads the busy publisher builds ahead:
// twice what one publish every pair (a publish and its read, idle, or
// the pace of -scale-busy-rate) sends over the busy phase (the check,
// its pause, warm-up, measurement), at least 50 and at most 50,000
// (within scaleBusyBytes).
func scaleBusyCount(pair time.Duration, o loadOpts) int {
	phase := 500*time.Millisecond + o.warmup + o.duration + time.Second
	if pair <= 0 {
		pair = time.Millisecond
	}
	return min(max(2*int(phase/pair), 50), 50000)
}

// prebuild builds the payloads of up to n publishes from version number
// from, within scaleBusyBytes.
func (t scaleTarget) prebuild(pkg string, from, n int) ([]scalePayload, error) {
	var out []scalePayload
	size := 0
	for i := from; len(out) < n && size < scaleBusyBytes; i++ {
		p, err := t.prepare(pkg, i)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
		size += p.size
	}
	return out, nil
}

// scale runs the scale scenario for each format in formats.
func (r *runner) scale() error {
	for _, f := range r.scaleFormats {
		if len(r.scaleVersionCounts) == 0 {
			break // -scale-versions "": packages growth only
		}
		for _, back := range r.storages() {
			if err := r.scaleVersions(f, back); err != nil {
				return fmt.Errorf("%s: %w", f, err)
			}
		}
	}
	if len(r.scalePackages) > 0 {
		for _, f := range r.scaleFormats {
			if f != "npm" && f != "pypi" {
				continue // npm and PyPI: the formats published to most
			}
			for _, back := range r.storages() {
				if err := r.scalePackageCount(f, back); err != nil {
					return fmt.Errorf("%s: %w", f, err)
				}
			}
		}
	}
	return nil
}

// scaleVersions grows one package of format through the checkpoints, on
// the storage of back (nil: embedded).
func (r *runner) scaleVersions(format string, back *backends) error {
	defer stopAll()
	a, err := r.startScenarioArcaOn("scale-"+format, formatOf(format), back)
	if err != nil {
		return err
	}
	r.noteScaleStart(scaleLabel("scale-"+format, a.name), a)
	t, err := scaleTargets(a, format)
	if err != nil {
		return err
	}
	pkg := "scale" + format // no separator: the same name in every format
	next := 0               // the next version number to publish
	for _, n := range r.scaleVersionCounts {
		busyNext := 1000000 // the probes' and busy publisher's version numbers
		row := scaleRow{Format: format, Server: a.name}
		rss := sampleRSS(a.PID(), 100*time.Millisecond)
		// Seed up to the probe, then time the probe's publishes.
		logf("scale: %s: publishing up to %d versions", format, n)
		start, seeded := time.Now(), 0
		for ; next < n-scaleProbe; next++ {
			if err := t.publish(pkg, next); err != nil {
				return err
			}
			seeded++
		}
		var times []time.Duration
		cpu0, _ := treeUsage(a.PID())
		for ; next < n; next++ {
			t0 := time.Now()
			if err := t.publish(pkg, next); err != nil {
				return err
			}
			times = append(times, time.Since(t0))
			seeded++
		}
		cpu1, _ := treeUsage(a.PID())
		row.PublishCPU = (cpu1 - cpu0) / time.Duration(len(times))
		row.SeedRate = float64(seeded) / time.Since(start).Seconds()
		row.Publish = median(times)
		// The read after the seeding makes the document from every
		// version published since the last read (the seeding reads
		// nothing; at 5,000 versions hundreds of milliseconds of CPU,
		// once): timed on its own, so that the pairs below measure what
		// they claim, a publish and the read that follows it.
		doc := t.doc(pkg)
		cpu0, _ = treeUsage(a.PID())
		if _, err := get(doc); err != nil {
			return err
		}
		cpu1, _ = treeUsage(a.PID())
		row.SeedReadCPU = cpu1 - cpu0
		// The first read after a publish, and whether it shows it.
		var reads []time.Duration
		cpu0, _ = treeUsage(a.PID())
		for range scaleProbe {
			if err := t.publish(pkg, busyNext); err != nil {
				return err
			}
			t0 := time.Now()
			body, err := get(doc)
			if err != nil {
				return err
			}
			reads = append(reads, time.Since(t0))
			if !bytes.Contains(body, []byte(t.version(busyNext))) {
				row.OwnStale++
			}
			row.DocumentSize = len(body)
			busyNext++
		}
		cpu1, _ = treeUsage(a.PID())
		row.PairCPU = (cpu1 - cpu0) / scaleProbe
		row.FirstRead = median(reads)
		// Idle reads, then reads beside a busy publisher, by clients
		// other than the publisher (which checks its own reads below).
		readers := a.asOtherClient(doc)
		idle, err := measure(readers, a.PID(), r.opts)
		if err != nil {
			return err
		}
		row.Idle = &idle
		if t.lookup != nil {
			lt := a.asOtherClient(t.lookup(pkg))
			if body, err := get(lt); err != nil || !bytes.Contains(body, []byte(pkg)) {
				return fmt.Errorf("lookup %s does not find %s: %v %s", lt.url, pkg, err, body)
			}
			res, err := measure(lt, a.PID(), r.opts)
			if err != nil {
				return err
			}
			row.Lookup = &res
		}
		// The busy publisher's payloads are built before its window, so
		// that the window holds its requests only.
		pace := row.Publish + row.FirstRead
		if r.scaleBusyRate > 0 {
			pace = max(pace, time.Duration(float64(time.Second)/r.scaleBusyRate))
		}
		payloads, err := t.prebuild(pkg, busyNext, scaleBusyCount(pace, r.opts))
		if err != nil {
			return err
		}
		runtime.GC() // the building's garbage, collected before the window
		stop := make(chan struct{})
		var published, stale, built atomic.Int64
		var done []time.Time // when each publish finished
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			var tick <-chan time.Time // paced with -scale-busy-rate
			if r.scaleBusyRate > 0 {
				t := time.NewTicker(time.Duration(float64(time.Second) / r.scaleBusyRate))
				defer t.Stop()
				tick = t.C
			}
			for k, i := 0, busyNext; ; k, i = k+1, i+1 {
				if tick != nil {
					select {
					case <-stop:
						return
					case <-tick:
					}
				}
				select {
				case <-stop:
					return
				default:
				}
				var err error
				if k < len(payloads) {
					err = payloads[k].send()
					payloads[k] = scalePayload{} // its bytes are no longer held
				} else {
					built.Add(1) // ran out: built in the window
					err = t.publish(pkg, i)
				}
				if err != nil {
					logf("scale: busy publisher: %v", err)
					return
				}
				published.Add(1)
				done = append(done, time.Now())
				if body, err := get(doc); err != nil || !bytes.Contains(body, []byte(t.version(i))) {
					stale.Add(1)
				}
			}
		}()
		busy, err := measure(readers, a.PID(), r.opts)
		close(stop)
		wg.Wait()
		if err != nil {
			return err
		}
		row.Busy, row.BusyPublish, row.OwnStale = &busy, int(published.Load()), row.OwnStale+int(stale.Load())
		row.BusyPrebuilt, row.BusyBuilt = len(payloads), int(built.Load())
		for _, at := range done {
			if !at.Before(busy.from) && !at.After(busy.to) {
				row.BusyWindowPublishes++
			}
		}
		if row.BusyWindowPublishes > 0 && busy.Elapsed > 0 {
			row.BusyPublishRate = float64(row.BusyWindowPublishes) / busy.Elapsed.Seconds()
			// The server's CPU in the window less the readers' requests
			// at their idle cost: what each publish (with its read)
			// cost the server beside the readers.
			row.BusyPublishCPU = (busy.CPU - time.Duration(busy.Requests)*idle.CPUPerReq) / time.Duration(row.BusyWindowPublishes)
		}
		row.Versions = next
		row.PeakRSS = rss.Peak()
		var extra []string
		for i := 1000000; i < busyNext+int(published.Load()); i++ {
			extra = append(extra, t.version(i))
		}
		if err := a.deleteVersions(t.format, pkg, extra); err != nil {
			return err
		}
		time.Sleep(quietWait)
		_, row.QuietRSS = treeUsage(a.PID())
		row.QuietAnon, _ = procStatus(a.PID())
		logf("scale: %s at %d versions: publish %s (CPU %s; seeding %.0f/s), read after seeding CPU %s, first read %s (publish+read CPU %s), idle %.0f req/s p99 %s, busy %.0f req/s p99 %s, peak RSS %s",
			format, row.Versions, fmtDur(row.Publish), fmtDur(row.PublishCPU), row.SeedRate, fmtDur(row.SeedReadCPU), fmtDur(row.FirstRead), fmtDur(row.PairCPU), idle.RPS, fmtDur(idle.P99), busy.RPS, fmtDur(busy.P99), fmtMB(row.PeakRSS))
		r.scaleRows = append(r.scaleRows, row)
	}
	return nil
}

// scalePackageCount fills a repository with packages of one version each,
// written by r.scaleWriters clients at once, through the checkpoints. At
// each one it reports the segment's publish rate, latency and server CPU
// per publish, then reads one package's document and its tarball or
// wheel, and measures the data directory.
func (r *runner) scalePackageCount(format string, back *backends) error {
	defer stopAll()
	a, err := r.startScenarioArcaOn("scale-packages-"+format, formatOf(format), back)
	if err != nil {
		return err
	}
	r.noteScaleStart(scaleLabel("scale-packages-"+format, a.name), a)
	t, err := scaleTargets(a, format)
	if err != nil {
		return err
	}
	next := 0
	for _, n := range r.scalePackages {
		logf("scale: %s: publishing up to %d packages with %d writers", format, n, r.scaleWriters)
		rss := sampleRSS(a.PID(), 200*time.Millisecond)
		var mu sync.Mutex
		var times []time.Duration
		var firstErr error
		var wg sync.WaitGroup
		var counter atomic.Int64
		counter.Store(int64(next))
		u0 := snapshot(a.PID(), nil)
		for range r.scaleWriters {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					i := int(counter.Add(1)) - 1
					if i >= n {
						return
					}
					t0 := time.Now()
					err := t.publish(fmt.Sprintf("scalepkg-%d", i), 0)
					d := time.Since(t0)
					mu.Lock()
					times = append(times, d)
					if err != nil && firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		u1 := snapshot(a.PID(), nil)
		if firstErr != nil {
			return firstErr
		}
		slices.Sort(times)
		row := scalePackagesRow{Format: format, Server: a.name, Packages: n, Writers: r.scaleWriters,
			Rate: float64(n-next) / u1.at.Sub(u0.at).Seconds(), Publish: times[len(times)/2], PublishP99: times[len(times)*99/100],
			PublishCPU: (u1.server - u0.server) / time.Duration(n-next), Others: others(u0, u1)}
		next = n
		doc := t.doc("scalepkg-0")
		read, err := measure(doc, a.PID(), r.opts)
		if err != nil {
			return err
		}
		row.Read = &read
		if asset, ok, err := scaleAsset(format, doc); err != nil {
			return err
		} else if ok {
			res, err := measure(asset, a.PID(), r.opts)
			if err != nil {
				return err
			}
			row.Asset = &res
		}
		row.PeakRSS = rss.Peak()
		time.Sleep(quietWait)
		_, row.QuietRSS = treeUsage(a.PID())
		row.QuietAnon, _ = procStatus(a.PID())
		row.Database, row.Blobs, row.OtherData = dataDirSizes(filepath.Join(a.dir, a.proc.name+"-data"))
		logf("scale: %s at %d packages: %.0f publishes/s, p50 %s, p99 %s, CPU/publish %s, document %.0f req/s, peak RSS %s, database %s, blobs %s",
			format, n, row.Rate, fmtDur(row.Publish), fmtDur(row.PublishP99), fmtDur(row.PublishCPU), read.RPS, fmtMB(row.PeakRSS), fmtMB(row.Database), fmtMB(row.Blobs))
		r.scalePackageRows = append(r.scalePackageRows, row)
	}
	return nil
}

// scaleAsset returns the target of the first file the document doc lists
// (npm: the tarball; PyPI: the wheel), asked for as the format's client
// does; ok is false for a format without one here.
func scaleAsset(format string, doc target) (_ target, ok bool, _ error) {
	body, err := get(doc)
	if err != nil {
		return target{}, false, err
	}
	h := doc.header.Clone()
	h.Del("Accept")
	switch format {
	case "npm":
		var d struct {
			Versions map[string]struct {
				Dist struct {
					Tarball string `json:"tarball"`
				} `json:"dist"`
			} `json:"versions"`
		}
		if err := json.Unmarshal(body, &d); err != nil {
			return target{}, false, fmt.Errorf("%s: %w", doc.url, err)
		}
		for _, v := range d.Versions {
			return target{url: v.Dist.Tarball, header: h, size: -1}, true, nil
		}
	case "pypi":
		urls, err := simpleURLs(doc.url, body)
		if err != nil {
			return target{}, false, err
		}
		for _, u := range urls {
			return target{url: u, header: h, size: -1}, true, nil
		}
	default:
		return target{}, false, nil
	}
	return target{}, false, fmt.Errorf("%s lists no file", doc.url)
}

// dataDirSizes returns the space an Arca data directory takes on disk:
// the database (with its WAL), the blobs, and the rest.
func dataDirSizes(dir string) (database, blobs, other int64) {
	_ = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return nil
		}
		n := info.Size()
		if st, ok := info.Sys().(*syscall.Stat_t); ok {
			n = st.Blocks * 512 // allocated, as du counts
		}
		rel, _ := filepath.Rel(dir, path)
		switch {
		case rel == "blobs" || strings.HasPrefix(rel, "blobs"+string(filepath.Separator)):
			blobs += n
		case strings.HasPrefix(rel, engine.DatabaseFile):
			database += n
		default:
			other += n
		}
		return nil
	})
	return database, blobs, other
}

// deleteVersions deletes versions of a package (DeletePackageVersions, in
// batches).
func (a scenarioArca) deleteVersions(format types.PackageFormat, pkg string, versions []string) error {
	in := &codeartifact.DeletePackageVersionsInput{Domain: aws.String(arcaDomain), Repository: aws.String(arcaRepo), Format: format, Package: aws.String(pkg)}
	switch format {
	case types.PackageFormatMaven:
		in.Namespace = aws.String(mavenGroup)
	case types.PackageFormatSwift:
		in.Namespace = aws.String(swiftScope)
	}
	for len(versions) > 0 {
		n := min(len(versions), 100)
		in.Versions = versions[:n]
		out, err := a.ca.DeletePackageVersions(context.Background(), in)
		if err != nil {
			return fmt.Errorf("delete-package-versions: %w", err)
		}
		if len(out.FailedVersions) > 0 {
			return fmt.Errorf("delete-package-versions: %d failed", len(out.FailedVersions))
		}
		versions = versions[n:]
	}
	return nil
}

// get fetches a target's URL and returns the body, decompressed.
func get(t target) ([]byte, error) {
	req, _ := http.NewRequest(http.MethodGet, t.url, nil)
	req.Header = t.header.Clone()
	req.Header.Del("Accept-Encoding")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("GET %s: status %d", t.url, resp.StatusCode)
	}
	return b, err
}

func formatOf(name string) types.PackageFormat {
	if f, ok := scaleFormatOf(name); ok {
		return f
	}
	switch name {
	case "pypi":
		return types.PackageFormatPypi
	case "maven":
		return types.PackageFormatMaven
	}
	return types.PackageFormatNpm
}

// printScale prints the scale scenario's tables.
func (r *runner) printScale(w io.Writer) {
	if len(r.scaleRows) > 0 {
		fmt.Fprintf(w, "\nOne package growing (publish: median of %d; first read: right after a publish; busy: one client publishing nonstop while %d connections read):\n\n", scaleProbe, r.opts.conns)
		fmt.Fprintln(w, "| format | versions | publish | publish CPU | seeding | first read | publish+read CPU | doc size | idle req/s | idle p99 | idle CPU/req | busy req/s | busy p99 | busy CPU/req | busy / idle | busy publishes | own publish missed | peak RSS | RSS after (anon) | others' CPU |")
		fmt.Fprintln(w, "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
		for _, s := range r.scaleRows {
			ratio := "-"
			if s.Idle.RPS > 0 {
				ratio = fmt.Sprintf("%.0f%%", 100*s.Busy.RPS/s.Idle.RPS)
			}
			fmt.Fprintf(w, "| %s | %d | %s | %s | %.0f/s | %s | %s | %s | %.0f | %s | %s | %.0f | %s | %s | %s | %d | %d | %s | %s | %.0f%% |\n",
				scaleLabel(s.Format, s.Server), s.Versions, fmtDur(s.Publish), fmtDur(s.PublishCPU), s.SeedRate, fmtDur(s.FirstRead), fmtDur(s.PairCPU), fmt.Sprintf("%d KB", s.DocumentSize>>10),
				s.Idle.RPS, fmtDur(s.Idle.P99), fmtDur(s.Idle.CPUPerReq), s.Busy.RPS, fmtDur(s.Busy.P99), fmtDur(s.Busy.CPUPerReq), ratio, s.BusyPublish, s.OwnStale, fmtMB(s.PeakRSS), fmtQuiet(s.QuietRSS, s.QuietAnon), 100*max(s.Idle.Others, s.Busy.Others))
		}
		// The target: the last checkpoint's publish within 2x of the first's.
		var series []string // format and server, in the order run
		rows := map[string][]scaleRow{}
		for _, s := range r.scaleRows {
			k := scaleLabel(s.Format, s.Server)
			if rows[k] == nil {
				series = append(series, k)
			}
			rows[k] = append(rows[k], s)
		}
		for _, k := range series {
			if rs := rows[k]; len(rs) > 1 && rs[0].Publish > 0 {
				first, last := rs[0], rs[len(rs)-1]
				fmt.Fprintf(w, "\n%s: publish at %d versions is %.1fx the publish at %d (target <= 2x: %s)", k, last.Versions, float64(last.Publish)/float64(first.Publish), first.Versions, metWord(last.Publish <= 2*first.Publish))
			}
		}
		fmt.Fprintln(w)
		fmt.Fprintf(w, "\nServer CPU of the read after the seeding (the document made from every version published since the last read; not in publish+read CPU):")
		for _, s := range r.scaleRows {
			fmt.Fprintf(w, " %s %d: %s;", scaleLabel(s.Format, s.Server), s.Versions, fmtDur(s.SeedReadCPU))
		}
		fmt.Fprintln(w)
		pace := "nonstop"
		if r.scaleBusyRate > 0 {
			pace = fmt.Sprintf("paced at %g publishes/s", r.scaleBusyRate)
		}
		fmt.Fprintln(w, "\nThe busy publisher ("+pace+") in the measured window (its payloads built before the busy phase; server CPU per publish: the window's server CPU less the reads at their idle CPU/req, per publish with its read; CPU in cores: CPU time per second of the window, idle and busy, of the server and of this process, the readers and the publisher):")
		fmt.Fprintln(w)
		fmt.Fprintln(w, "| format | versions | publishes/s | server CPU/publish | publish+read CPU, idle | server cores idle | server cores busy | bench cores idle | bench cores busy | prebuilt | built in window |")
		fmt.Fprintln(w, "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
		for _, s := range r.scaleRows {
			fmt.Fprintf(w, "| %s | %d | %.0f | %s | %s | %.2f | %.2f | %.2f | %.2f | %d | %d |\n", scaleLabel(s.Format, s.Server), s.Versions, s.BusyPublishRate, fmtDur(s.BusyPublishCPU), fmtDur(s.PairCPU),
				cores(s.Idle.CPU, s.Idle.Elapsed), cores(s.Busy.CPU, s.Busy.Elapsed), cores(s.Idle.ClientCPU, s.Idle.Elapsed), cores(s.Busy.ClientCPU, s.Busy.Elapsed), s.BusyPrebuilt, s.BusyBuilt)
		}
		var lookups []scaleRow
		for _, s := range r.scaleRows {
			if s.Lookup != nil {
				lookups = append(lookups, s)
			}
		}
		if len(lookups) > 0 {
			fmt.Fprintln(w, "\nLookups beside the document, idle (Swift: the identifiers of the repository URL the package's releases declare):")
			fmt.Fprintln(w)
			fmt.Fprintln(w, "| format | versions | lookup req/s | lookup p50 | lookup p99 | lookup CPU/req |")
			fmt.Fprintln(w, "|---|--:|--:|--:|--:|--:|")
			for _, s := range lookups {
				fmt.Fprintf(w, "| %s | %d | %.0f | %s | %s | %s |\n", scaleLabel(s.Format, s.Server), s.Versions, s.Lookup.RPS, fmtDur(s.Lookup.P50), fmtDur(s.Lookup.P99), fmtDur(s.Lookup.CPUPerReq))
			}
		}
	}
	if len(r.scaleStarts) > 0 {
		fmt.Fprintf(w, "\nRSS after start (anon):")
		for _, st := range r.scaleStarts {
			fmt.Fprintf(w, " %s %s;", st.Server, fmtQuiet(st.RSS, st.Anon))
		}
		fmt.Fprintf(w, " RSS after: %s after the checkpoint's last request.\n", quietWait)
	}
	if len(r.scalePackageRows) > 0 {
		fmt.Fprintln(w, "\nA repository growing in packages (one version each; concurrent writers; publishes/s, p50, p99 and CPU/publish over the segment before the checkpoint; reads of one package's document and its file, idle; data on disk):")
		fmt.Fprintln(w)
		fmt.Fprintln(w, "| format | packages | writers | publishes/s | publish p50 | publish p99 | CPU/publish | doc req/s | doc p99 | file req/s | file p99 | peak RSS | RSS after (anon) | database | blobs | other data | others' CPU |")
		fmt.Fprintln(w, "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
		for _, s := range r.scalePackageRows {
			fileRPS, fileP99 := "-", "-"
			if s.Asset != nil {
				fileRPS, fileP99 = fmt.Sprintf("%.0f", s.Asset.RPS), fmtDur(s.Asset.P99)
			}
			fmt.Fprintf(w, "| %s | %d | %d | %.0f | %s | %s | %s | %.0f | %s | %s | %s | %s | %s | %s | %s | %s | %.0f%% |\n", scaleLabel(s.Format, s.Server), s.Packages, s.Writers, s.Rate,
				fmtDur(s.Publish), fmtDur(s.PublishP99), fmtDur(s.PublishCPU), s.Read.RPS, fmtDur(s.Read.P99), fileRPS, fileP99,
				fmtMB(s.PeakRSS), fmtQuiet(s.QuietRSS, s.QuietAnon), fmtMB(s.Database), fmtMB(s.Blobs), fmtMB(s.OtherData), 100*s.Others)
		}
	}
}

// cores is CPU time per second of elapsed.
func cores(cpu, elapsed time.Duration) float64 {
	if elapsed <= 0 {
		return 0
	}
	return cpu.Seconds() / elapsed.Seconds()
}

// scaleLabel is a scale row's first column: the format, and the server
// when it is not the embedded Arca ("npm on arca (postgres+s3)").
func scaleLabel(format, server string) string {
	if server == "" || server == "arca" {
		return format
	}
	return format + " on " + server
}

// scaleStart is an Arca's RSS a second after it started, before the
// scale scenario's first request.
type scaleStart struct {
	Server string `json:"server"`
	RSS    int64  `json:"rss"`
	Anon   int64  `json:"anon"`
}

func (r *runner) noteScaleStart(server string, a scenarioArca) {
	anon, _ := procStatus(a.PID())
	r.scaleStarts = append(r.scaleStarts, scaleStart{server, a.start, anon})
}

// fmtQuiet is an RSS with its anonymous part: the rest is the binary's
// and libraries' pages, clean page cache the kernel can take back.
func fmtQuiet(rss, anon int64) string {
	return fmt.Sprintf("%s (%s)", fmtMB(rss), fmtMB(anon))
}

// sortedCounts parses a comma-separated list of counts, ascending.
func sortedCounts(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		var n int
		if _, err := fmt.Sscan(f, &n); err != nil || n <= 0 {
			return nil, fmt.Errorf("%q is not a count", f)
		}
		out = append(out, n)
	}
	slices.Sort(out)
	return out, nil
}
