// Records Go text/template outputs for the cases in ../cases.json (run: go run . > ../go-results.json).
// Used to check Vigil's template engine against real Go; the results file is committed so
// tests do not need a Go toolchain.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"text/template"
)

type Data struct {
	Labels map[string]string
	Value  float64
	Int    int
	Str    string
	Strs   []string
	Floats []float64
	M      map[string]int
	Nested map[string]map[string]string
	B      bool
	Nil    interface{}
	Empty  []string
	Any    map[string]interface{}
}

func (d Data) Greet(name string) string { return "hi " + name }

type Case struct {
	Text       string `json:"text"`
	MissingKey string `json:"missingkey,omitempty"`
}

type Result struct {
	Text string `json:"text"`
	Out  string `json:"out"`
	Err  string `json:"err,omitempty"`
}

func main() {
	b, err := os.ReadFile("../cases.json")
	if err != nil {
		panic(err)
	}
	var cases []Case
	if err := json.Unmarshal(b, &cases); err != nil {
		panic(err)
	}
	data := Data{
		Labels: map[string]string{"instance": "host:9100", "job": "node", "b": "2", "a": "1"},
		Value:  0.12345,
		Int:    42,
		Str:    "héllo <b>&'\"",
		Strs:   []string{"x", "y", "z"},
		Floats: []float64{1, 2.5, 1e6, 1e-7},
		M:      map[string]int{"z": 26, "a": 1, "m": 13},
		Nested: map[string]map[string]string{"k": {"x": "1"}},
		B:      true,
		Any:    map[string]interface{}{"f": 1.5, "s": "str", "n": nil},
	}
	funcs := template.FuncMap{
		"upper": strings.ToUpper,
		"fail":  func() (string, error) { return "", errors.New("boom") },
		"add":   func(a, b float64) float64 { return a + b },
	}
	var out []Result
	for _, c := range cases {
		t := template.New("t").Funcs(funcs)
		if c.MissingKey != "" {
			t = t.Option("missingkey=" + c.MissingKey)
		}
		r := Result{Text: c.Text}
		t, err := t.Parse(c.Text)
		if err != nil {
			r.Err = err.Error()
			out = append(out, r)
			continue
		}
		var sb strings.Builder
		err = t.Execute(&sb, data)
		r.Out = sb.String()
		if err != nil {
			r.Err = err.Error()
		}
		out = append(out, r)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
