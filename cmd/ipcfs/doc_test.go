package main

import (
	"os"
	"reflect"
	"strings"
	"testing"
)

// TestJSONSchemaIsDocumented keeps the package documentation and the JSON
// the tool prints in step: every field of ls/stat entries and of recv
// messages is described in doc.go.
func TestJSONSchemaIsDocumented(t *testing.T) {
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	text := string(doc)
	for _, v := range []any{entry{}, received{}} {
		typ := reflect.TypeOf(v)
		for i := range typ.NumField() {
			name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
			if !strings.Contains(text, "\n//\t"+name+" ") && !strings.Contains(text, "\n//\t"+name+",") &&
				!strings.Contains(text, `"`+name+`"`) {
				t.Errorf("JSON field %q of %s is not documented in doc.go", name, typ.Name())
			}
		}
	}
}
