package bench

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"math"
	"slices"
	"strings"
)

// series is one line of the chart.
type series struct {
	name   string
	color  string
	dashed bool
	rate   func(w *WorkloadResult) float64
}

var chartSeries = []series{
	{"(1) parse-only ceiling", "#1f77b4", false, func(w *WorkloadResult) float64 { return rate(w.Parse) }},
	{"(2) match path", "#d62728", false, func(w *WorkloadResult) float64 { return rate(w.Match) }},
	{"(3) end to end", "#2ca02c", false, func(w *WorkloadResult) float64 { return e2eRate(w.E2E) }},
	{"(3) raw NATS", "#9467bd", true, func(w *WorkloadResult) float64 { return e2eRate(w.RawNATS) }},
	{"(4) naive baseline", "#7f7f7f", true, func(w *WorkloadResult) float64 { return rate(w.Naive) }},
}

const (
	panelW, panelH           = 470, 330
	marginL, marginR         = 72, 18
	marginT, marginB         = 46, 48
	legendH                  = 34
	plotW, plotH             = panelW - marginL - marginR, panelH - marginT - marginB
	minDecades       float64 = 1
)

// Chart renders throughput (events/s, log scale) against indicator count
// (log scale), one panel per workload, as a standalone SVG document.
func (r *Report) Chart() string {
	var workloads []string
	for _, s := range r.Sizes {
		for _, w := range s.Workloads {
			if !slices.Contains(workloads, w.Name) {
				workloads = append(workloads, w.Name)
			}
		}
	}
	if len(workloads) == 0 {
		workloads = []string{"(no data)"}
	}
	width, height := panelW*len(workloads), panelH+legendH
	var b bytes.Buffer
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>`+"\n")
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n", width, height, width, height)
	fmt.Fprintf(&b, `<rect x="0" y="0" width="%d" height="%d" fill="white"/>`+"\n", width, height)
	for i, wl := range workloads {
		r.panel(&b, float64(i*panelW), wl)
	}
	// Legend.
	x := 16.0
	y := float64(panelH) + 18
	for _, s := range chartSeries {
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="2"%s/>`, x, y, x+24, y, s.color, dash(s.dashed))
		fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3" fill="%s"/>`, x+12, y, s.color)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f">%s</text>`+"\n", x+30, y+4, esc(s.name))
		x += 30 + 7.2*float64(len(s.name)) + 18
	}
	b.WriteString("</svg>\n")
	return b.String()
}

func dash(d bool) string {
	if d {
		return ` stroke-dasharray="6 4"`
	}
	return ""
}

// panel draws one workload's plot with its left edge at x0.
func (r *Report) panel(b *bytes.Buffer, x0 float64, wl string) {
	type pt struct{ n, v float64 }
	lines := make([][]pt, len(chartSeries))
	minN, maxN, minV, maxV := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, s := range r.Sizes {
		for i := range s.Workloads {
			w := &s.Workloads[i]
			if w.Name != wl {
				continue
			}
			for k, ser := range chartSeries {
				v := ser.rate(w)
				if v <= 0 {
					continue
				}
				n := float64(s.Indicators)
				lines[k] = append(lines[k], pt{n, v})
				minN, maxN = math.Min(minN, n), math.Max(maxN, n)
				minV, maxV = math.Min(minV, v), math.Max(maxV, v)
			}
		}
	}
	fmt.Fprintf(b, `<text x="%.1f" y="22" font-size="14" font-weight="bold">%s</text>`+"\n", x0+marginL, esc("Throughput against indicator count: "+wl))
	if math.IsInf(minN, 1) {
		fmt.Fprintf(b, `<text x="%.1f" y="%d">no measurements</text>`+"\n", x0+marginL, marginT+plotH/2)
		return
	}
	lx0, lx1 := math.Log10(minN), math.Log10(maxN)
	if lx1-lx0 < minDecades {
		mid := (lx0 + lx1) / 2
		lx0, lx1 = mid-minDecades/2, mid+minDecades/2
	}
	pad := (lx1 - lx0) * 0.08
	lx0, lx1 = lx0-pad, lx1+pad
	ly0, ly1 := math.Floor(math.Log10(minV)), math.Ceil(math.Log10(maxV))
	if ly1 <= ly0 {
		ly1 = ly0 + 1
	}
	px := func(n float64) float64 { return x0 + marginL + (math.Log10(n)-lx0)/(lx1-lx0)*plotW }
	py := func(v float64) float64 { return marginT + plotH - (math.Log10(v)-ly0)/(ly1-ly0)*plotH }

	// Frame, decade grid lines and labels.
	fmt.Fprintf(b, `<rect x="%.1f" y="%d" width="%d" height="%d" fill="none" stroke="#444"/>`+"\n", x0+marginL, marginT, plotW, plotH)
	for d := ly0; d <= ly1; d++ {
		y := py(math.Pow(10, d))
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#ddd"/>`, x0+marginL, y, x0+marginL+plotW, y)
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="end">%s</text>`+"\n", x0+marginL-6, y+4, esc(shortCount(math.Pow(10, d))))
		for _, m := range []float64{2, 5} {
			if d < ly1 {
				y := py(m * math.Pow(10, d))
				fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#f0f0f0"/>`+"\n", x0+marginL, y, x0+marginL+plotW, y)
			}
		}
	}
	for _, s := range r.Sizes {
		x := px(float64(s.Indicators))
		fmt.Fprintf(b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#ddd"/>`, x, marginT, x, marginT+plotH)
		fmt.Fprintf(b, `<text x="%.1f" y="%d" text-anchor="middle">%s</text>`+"\n", x, marginT+plotH+16, esc(sizeName(s.Indicators)))
	}
	fmt.Fprintf(b, `<text x="%.1f" y="%d" text-anchor="middle">indicators (log scale)</text>`+"\n", x0+marginL+plotW/2, marginT+plotH+36)
	fmt.Fprintf(b, `<text transform="translate(%.1f,%d) rotate(-90)" text-anchor="middle">events/s (log scale)</text>`+"\n", x0+16, marginT+plotH/2)

	for k, ser := range chartSeries {
		pts := lines[k]
		if len(pts) == 0 {
			continue
		}
		var coords []string
		for _, p := range pts {
			coords = append(coords, fmt.Sprintf("%.1f,%.1f", px(p.n), py(p.v)))
		}
		fmt.Fprintf(b, `<polyline fill="none" stroke="%s" stroke-width="2"%s points="%s"/>`+"\n", ser.color, dash(ser.dashed), strings.Join(coords, " "))
		for _, p := range pts {
			fmt.Fprintf(b, `<circle cx="%.1f" cy="%.1f" r="3.5" fill="%s"><title>%s</title></circle>`+"\n", px(p.n), py(p.v), ser.color,
				esc(fmt.Sprintf("%s, %s indicators: %s events/s", ser.name, sizeName(int(p.n)), fmtRate(p.v))))
		}
	}
}

// shortCount writes 1000 as 1k and 1e6 as 1M.
func shortCount(v float64) string {
	switch {
	case v >= 1e9:
		return fmt.Sprintf("%gG", v/1e9)
	case v >= 1e6:
		return fmt.Sprintf("%gM", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%gk", v/1e3)
	}
	return fmt.Sprintf("%g", v)
}

func esc(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
