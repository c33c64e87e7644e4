// Every query the page sends. Each stays well inside the server's default
// limits (graph/limits.go: depth 15, complexity 250,000, 30 aliases);
// internal/app's TestExplorerQueriesWithinLimits sends each with its largest
// page size.

export const PAGE_SIZE = 25;
export const CSV_PAGE_SIZE = 50;
export const MAX_PATHS = 100;

// The table: the reasons of each company's first hops in their short
// form (firstHopReasons); its first suppliers, hundreds for a company in
// a large graph, only for the CSV (EXPORT).
export const EXPOSED = `query ExplorerExposed($sector: ID, $asOf: Date, $maxDepth: Int, $minConfidence: Float, $first: Int, $after: String) {
  exposedCompanies(sector: $sector, asOf: $asOf, maxDepth: $maxDepth, minConfidence: $minConfidence, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node {
      company { id name country { code name } sectors { id } }
      minDepth pathCount confidence since firstHopReasons
    } }
  }
}`;

export const EXPORT = `query ExplorerExport($sector: ID, $asOf: Date, $maxDepth: Int, $minConfidence: Float, $first: Int, $after: String) {
  exposedCompanies(sector: $sector, asOf: $asOf, maxDepth: $maxDepth, minConfidence: $minConfidence, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node {
      company { id name country { code name } sectors { id } }
      minDepth pathCount confidence since firstHopReasons
      uncoveredSuppliers { id }
    } }
  }
}`;

// The network is drawn from PATHS, just what the drawing needs; the
// evidence of each hop (HOPS: the same paths, in the same order, with
// materials, licences and link details) is read after it is drawn.
export const PATHS = `query ExplorerPaths($id: ID!, $asOf: Date, $maxDepth: Int, $minConfidence: Float, $first: Int) {
  exposurePaths(companyId: $id, asOf: $asOf, maxDepth: $maxDepth, minConfidence: $minConfidence, first: $first) {
    depth confidence
    hops {
      supplier { id name country { code } }
      customer { id name country { code } }
      controlled covered reason
      link { confidence }
    }
  }
}`;

export const HOPS = `query ExplorerHops($id: ID!, $asOf: Date, $maxDepth: Int, $minConfidence: Float, $first: Int) {
  exposurePaths(companyId: $id, asOf: $asOf, maxDepth: $maxDepth, minConfidence: $minConfidence, first: $first) {
    hops {
      supplier { id } customer { id }
      materials { id } controlledMaterials { id }
      licences { id type status standing(asOf: $asOf) validFrom validUntil revokedOn sources note }
      link { since until confidence sources note }
    }
  }
}`;

export const INIT = `query ExplorerInit($from: Date!, $to: Date!) {
  sectors { id name parent { id } }
  exposureDates(from: $from, to: $to)
}`;

export const COMPANY = `query ExplorerCompany($id: ID!, $asOf: Date) {
  company(id: $id) {
    id name aliases country { code name } roles sectors { id name } lei website note
    licencesHeld(asOf: $asOf) { id status standing(asOf: $asOf) validFrom validUntil }
    licencesCovering(asOf: $asOf) { id holder { id name } standing(asOf: $asOf) validUntil }
    suppliers(first: 50) { totalCount edges { node { supplier { id name } since until confidence } } }
    customers(first: 50) { totalCount edges { node { customer { id name } since until confidence } } }
  }
}`;

export const CHANGES = `query ExplorerChanges($from: Date!, $to: Date!, $sector: ID, $maxDepth: Int, $minConfidence: Float) {
  exposureChanges(from: $from, to: $to, sector: $sector, maxDepth: $maxDepth, minConfidence: $minConfidence) {
    newlyExposed { company { id name } licences { id standing(asOf: $to) } controls { id title } }
    noLongerExposed { company { id name } licences { id standing(asOf: $to) } controls { id title } }
  }
}`;
