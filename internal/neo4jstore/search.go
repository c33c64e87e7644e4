package neo4jstore

import (
	"context"
	"strings"

	"github.com/licencegraph/licencegraph/internal/domain"
)

var searchCypher = `
CALL db.index.fulltext.queryNodes('company_names', $query) YIELD node, score
WITH node AS c, score ORDER BY score DESC, c.id LIMIT $limit
RETURN ` + companyProjection("c") + ` AS c`

// SearchCompanies searches names and aliases, best score first. The text
// is matched as a phrase, or as words that each begin a word of a name;
// a text with no word (which SearchQuery.Validate refuses) matches none.
func (s *Store) SearchCompanies(ctx context.Context, q domain.SearchQuery) ([]domain.Company, error) {
	query := fulltextQuery(q.Text)
	if query == "" {
		return []domain.Company{}, nil
	}
	res, err := s.read(ctx, searchCypher, map[string]any{"query": query, "limit": q.First})
	if err != nil {
		return nil, err
	}
	out := make([]domain.Company, 0, len(res.Records))
	for _, r := range res.Records {
		out = append(out, toCompany(recordMap(r, "c")))
	}
	return out, nil
}

// fulltextQuery turns user text into a Lucene query with every special
// character escaped: the text as a phrase, OR all its words as prefixes.
func fulltextQuery(text string) string {
	words := strings.Fields(text)
	if len(words) == 0 {
		return ""
	}
	prefixes := make([]string, len(words))
	for i, w := range words {
		prefixes[i] = escapeLucene(strings.ToLower(w)) + "*"
	}
	return `"` + escapeLucene(strings.Join(words, " ")) + `" OR (` + strings.Join(prefixes, " AND ") + ")"
}

// escapeLucene backslash-escapes Lucene's query syntax characters.
func escapeLucene(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`+-&|!(){}[]^"~*?:\/`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
