package licencecache

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/licencegraph/licencegraph/internal/domain"
)

// fakeReads answers licencesHeld from a map and records what it was asked.
type fakeReads struct {
	domain.ReadService
	held  map[string][]domain.Licence
	err   error
	drop  string // a holder left out of answers
	asked [][]string
}

func (f *fakeReads) LicencesHeld(_ context.Context, keys []domain.HeldKey) (map[domain.HeldKey][]domain.Licence, error) {
	var holders []string
	out := map[domain.HeldKey][]domain.Licence{}
	for _, k := range keys {
		holders = append(holders, k.Holder)
		if k.Holder != f.drop {
			out[k] = f.held[k.Holder]
		}
	}
	f.asked = append(f.asked, holders)
	return out, f.err
}

func TestListsAreReadOncePerVersion(t *testing.T) {
	ctx := context.Background()
	day := domain.MustDate("2026-06-01")
	key := func(h string) domain.HeldKey { return domain.HeldKey{Holder: h, AsOf: day} }
	fake := &fakeReads{held: map[string][]domain.Licence{"a": {{ID: "L1"}}, "b": {}}}
	version := "v1"
	c := New(fake, func(context.Context) (string, error) { return version, nil }, 10)

	steps := []struct {
		name    string
		version string
		keys    []string
		change  func()
		asked   []string // nil: the store is not asked
		want    map[string][]string
	}{
		{name: "first read", version: "v1", keys: []string{"a", "b"}, asked: []string{"a", "b"},
			want: map[string][]string{"a": {"L1"}, "b": {}}},
		{name: "same version: cached", version: "v1", keys: []string{"b", "a"},
			want: map[string][]string{"a": {"L1"}, "b": {}}},
		{name: "only the missing key is read", version: "v1", keys: []string{"a", "c"}, asked: []string{"c"},
			want: map[string][]string{"a": {"L1"}, "c": {}}},
		{name: "a write (new version) retires every entry", version: "v2", keys: []string{"a", "b"},
			change: func() { fake.held["b"] = []domain.Licence{{ID: "L2"}} }, asked: []string{"a", "b"},
			want: map[string][]string{"a": {"L1"}, "b": {"L2"}}},
		{name: "cached at the new version", version: "v2", keys: []string{"a"}, want: map[string][]string{"a": {"L1"}}},
	}
	for _, st := range steps {
		version = st.version
		if st.change != nil {
			st.change()
		}
		fake.asked = nil
		keys := make([]domain.HeldKey, len(st.keys))
		for i, h := range st.keys {
			keys[i] = key(h)
		}
		got, err := c.LicencesHeld(ctx, keys)
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		var asked []string
		if len(fake.asked) > 0 {
			asked = fake.asked[0]
		}
		if len(fake.asked) > 1 || !slices.Equal(asked, st.asked) {
			t.Errorf("%s: store asked %v, want %v", st.name, fake.asked, st.asked)
		}
		if len(got) != len(st.want) {
			t.Errorf("%s: %d lists, want %d", st.name, len(got), len(st.want))
		}
		for h, ids := range st.want {
			var gotIDs []string
			for _, l := range got[key(h)] {
				gotIDs = append(gotIDs, l.ID)
			}
			if !slices.Equal(gotIDs, ids) && !(len(gotIDs) == 0 && len(ids) == 0) {
				t.Errorf("%s: %s holds %v, want %v", st.name, h, gotIDs, ids)
			}
		}
	}
	// The date is part of the key: another day is read from the store.
	fake.asked = nil
	if _, err := c.LicencesHeld(ctx, []domain.HeldKey{{Holder: "a", AsOf: domain.MustDate("2026-06-02")}}); err != nil {
		t.Fatal(err)
	}
	if len(fake.asked) != 1 {
		t.Errorf("another date: store asked %v, want once", fake.asked)
	}
}

func TestFailuresAreNotCached(t *testing.T) {
	ctx := context.Background()
	keys := []domain.HeldKey{{Holder: "a"}, {Holder: "b"}}
	boom := errors.New("boom")

	fake := &fakeReads{held: map[string][]domain.Licence{"a": {{ID: "L1"}}}, err: boom}
	c := New(fake, func(context.Context) (string, error) { return "v1", nil }, 10)
	if _, err := c.LicencesHeld(ctx, keys); !errors.Is(err, boom) {
		t.Fatalf("store error: got %v", err)
	}
	fake.err = nil
	fake.asked = nil
	if _, err := c.LicencesHeld(ctx, keys); err != nil || len(fake.asked) != 1 {
		t.Fatalf("after a failed read: err %v, store asked %v, want once", err, fake.asked)
	}

	// An answer without one of the keys is the store's bug, not "no licences".
	fake = &fakeReads{held: map[string][]domain.Licence{}, drop: "b"}
	c = New(fake, func(context.Context) (string, error) { return "v1", nil }, 10)
	if _, err := c.LicencesHeld(ctx, keys); domain.ErrorCode(err) != domain.CodeInternal {
		t.Fatalf("missing key: got %v, want INTERNAL", err)
	}

	// Without a version nothing is read.
	fake = &fakeReads{}
	c = New(fake, func(context.Context) (string, error) { return "", boom }, 10)
	if _, err := c.LicencesHeld(ctx, keys); !errors.Is(err, boom) || len(fake.asked) != 0 {
		t.Fatalf("version error: got %v, store asked %v", err, fake.asked)
	}
}
