package conformance

import (
	"os"
	"path/filepath"
	"testing"
)

// vectorDirs are the bundled copy of the visible vectors and the shared
// folder, which may hold more.
var vectorDirs = []string{"../../testdata/stix", "../../../shared/testdata/stix"}

func TestVectors(t *testing.T) {
	ran := 0
	for _, dir := range vectorDirs {
		files, _ := filepath.Glob(filepath.Join(dir, "*.jsonl"))
		for _, f := range files {
			ran++
			t.Run(filepath.Base(filepath.Dir(filepath.Dir(f)))+"/"+filepath.Base(f), func(t *testing.T) {
				sum, err := RunFile(f)
				if err != nil {
					t.Fatal(err)
				}
				for _, fl := range sum.Failures {
					t.Errorf("%s", fl)
				}
				t.Logf("%d passed, %d failed", sum.Passed, sum.Failed)
				if sum.Passed == 0 {
					t.Errorf("no vector in %s", f)
				}
			})
		}
	}
	if ran == 0 {
		if _, err := os.Stat(vectorDirs[0]); err != nil {
			t.Skipf("no vector files: %v", err)
		}
		t.Fatal("vector folder present but empty")
	}
}
