package pgtest

import (
	"regexp"
	"strings"
	"testing"
)

func TestDatabaseName(t *testing.T) {
	valid := regexp.MustCompile(`^pgtest_[a-z0-9_]*_[a-z2-7]{13}$`)
	for _, tt := range []struct {
		test, prefix string
	}{
		{"TestStart", "pgtest_teststart_"},
		{"TestPGURL/Start", "pgtest_testpgurl_start_"},
		{"TestX/name_with spaces,-and-é", "pgtest_testx_name_with_spaces__and___"},
		{strings.Repeat("TestLong", 20), "pgtest_" + strings.Repeat("testlong", 4) + "t_"},
	} {
		got := databaseName(tt.test)
		if !strings.HasPrefix(got, tt.prefix) || !valid.MatchString(got) || len(got) > 63 {
			t.Errorf("databaseName(%q) = %q; want %q, a random suffix, at most 63 bytes", tt.test, got, tt.prefix)
		}
	}
	if a, b := databaseName("TestX"), databaseName("TestX"); a == b {
		t.Errorf("databaseName(%q) = %q twice; want distinct names", "TestX", a)
	}
}

func TestWithDatabase(t *testing.T) {
	for _, tt := range []struct {
		url, want string
	}{
		{"postgres://u:p%40ss@db.example:6543/app?sslmode=require", "postgres://u:p%40ss@db.example:6543/new?sslmode=require"},
		{"postgresql://127.0.0.1:5433", "postgresql://127.0.0.1:5433/new"},
		{"postgres://h/app?dbname=app&application_name=x", "postgres://h/new?application_name=x"},
		{"host=h dbname=app", ""},
		{"mysql://h/app", ""},
	} {
		got, err := withDatabase(tt.url, "new")
		if got != tt.want || (err != nil) != (tt.want == "") {
			t.Errorf("withDatabase(%q, \"new\") = %q, %v; want %q", tt.url, got, err, tt.want)
		}
	}
}
