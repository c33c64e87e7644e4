// The Neo4j GraphQL Library anchor of `make bench` (docs/performance.md):
// @neo4j/graphql on @apollo/server's standalone HTTP server, on loopback.
// The type definitions are written by `licencegraph-bench anchors` at run
// time (the exposure fields hold the Cypher our engine runs, taken from the
// Go code then), so this file holds no Cypher of its own.
//
//   TYPEDEFS=path NEO4J_URI=bolt://127.0.0.1:7740 PORT=4000 node server.mjs
//
// It prints "ready <url>" on stdout once it listens.
import { readFileSync } from "node:fs";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { Neo4jGraphQL } from "@neo4j/graphql";
import neo4j from "neo4j-driver";

const typeDefs = readFileSync(process.env.TYPEDEFS, "utf8");
const driver = neo4j.driver(process.env.NEO4J_URI ?? "bolt://127.0.0.1:7687", neo4j.auth.none(), {
  maxConnectionPoolSize: 100,
});
const database = process.env.NEO4J_DATABASE ?? "neo4j";
const neoSchema = new Neo4jGraphQL({ typeDefs, driver });
const schema = await neoSchema.getSchema();
if (process.env.PRINT_SCHEMA) {
  const { printSchema } = await import("graphql");
  console.log(printSchema(schema));
  process.exit(0);
}
const server = new ApolloServer({ schema, introspection: true });
const { url } = await startStandaloneServer(server, {
  listen: { host: "127.0.0.1", port: Number(process.env.PORT ?? 4000) },
  context: async () => ({ executionContext: driver, sessionConfig: { database } }),
});
console.log(`ready ${url}`);
const stop = async () => {
  await server.stop();
  await driver.close();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
