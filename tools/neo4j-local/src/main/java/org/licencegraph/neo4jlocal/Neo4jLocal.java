package org.licencegraph.neo4jlocal;

import static org.neo4j.configuration.GraphDatabaseSettings.DEFAULT_DATABASE_NAME;

import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.SettingValueParsers;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.logging.Level;
import org.neo4j.logging.log4j.Log4jLogProvider;

/**
 * Runs an embedded Neo4j Community DBMS with a Bolt connector on 127.0.0.1, for local
 * development and tests. Normally started through {@code neo4j-local.sh}.
 *
 * <p>Configuration: each value is read from a system property first, then from the
 * environment variable, then the default.
 *
 * <pre>
 *   system property          env variable              default
 *   neo4j.local.boltPort     NEO4J_BOLT_PORT           7687
 *   neo4j.local.dataDir      NEO4J_DATA_DIR            ./.neo4j-data
 *   neo4j.local.pagecache    NEO4J_PAGECACHE           512m
 *   neo4j.local.txTotalMax   NEO4J_TX_MEMORY_TOTAL     50% of max heap
 *   neo4j.local.txMax        NEO4J_TX_MEMORY_MAX       25% of max heap
 * </pre>
 *
 * <p>Files written under the data dir: {@code data/} (store and transaction logs),
 * {@code logs/} (Neo4j's debug.log / neo4j.log / query.log), {@code ready} (marker, present
 * while the DBMS is up and answered {@code RETURN 1}), and {@code neo4j-local.pid} (written by
 * the script, removed here on clean shutdown).
 */
public final class Neo4jLocal {

    private static final String READY_FILE = "ready";
    private static final String PID_FILE = "neo4j-local.pid";

    private Neo4jLocal() {}

    /** Parses NEO4J_CONF: neo4j.conf settings separated by ';' or newlines. */
    static Map<String, String> extraConfig(String raw) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        if (raw == null) {
            return out;
        }
        for (String item : raw.split("[;\\n]")) {
            item = item.trim();
            if (item.isEmpty() || item.startsWith("#")) {
                continue;
            }
            int eq = item.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("NEO4J_CONF: '" + item + "' is not key=value");
            }
            out.put(item.substring(0, eq).trim(), item.substring(eq + 1).trim());
        }
        if (!out.isEmpty()) {
            log("extra settings from NEO4J_CONF: " + out);
        }
        return out;
    }

    public static void main(String[] args) {
        try {
            run();
        } catch (Throwable t) {
            // Exit instead of letting non-daemon threads Neo4j may have started keep a broken
            // process alive; the script sees the exit and prints the log.
            log("start-up failed: " + t);
            t.printStackTrace();
            System.exit(1);
        }
    }

    private static void run() throws Exception {
        Instant started = Instant.now();

        int boltPort = Integer.parseInt(setting("neo4j.local.boltPort", "NEO4J_BOLT_PORT", "7687"));
        Path dataDir = Path.of(setting("neo4j.local.dataDir", "NEO4J_DATA_DIR", ".neo4j-data"))
                .toAbsolutePath()
                .normalize();
        String pagecache = setting("neo4j.local.pagecache", "NEO4J_PAGECACHE", "512m");
        long maxHeap = Runtime.getRuntime().maxMemory();
        String txTotalMax = setting("neo4j.local.txTotalMax", "NEO4J_TX_MEMORY_TOTAL", Long.toString(maxHeap / 2));
        String txMax = setting("neo4j.local.txMax", "NEO4J_TX_MEMORY_MAX", Long.toString(maxHeap / 4));

        Files.createDirectories(dataDir);
        Path readyMarker = dataDir.resolve(READY_FILE);
        Path pidFile = dataDir.resolve(PID_FILE);
        Path logsDir = dataDir.resolve("logs");
        Files.createDirectories(logsDir);
        // A marker left behind by a killed instance must not make the script think we are up.
        Files.deleteIfExists(readyMarker);

        log("starting Neo4j (embedded) pid=" + ProcessHandle.current().pid() + " home=" + dataDir
                + " bolt=127.0.0.1:" + boltPort + " pagecache=" + pagecache
                + " heapMax=" + (maxHeap >> 20) + "m");

        // The user log (neo4j.log in a server install) is not written at all in embedded mode
        // unless a provider is given; send it to <datadir>/logs/neo4j.log. debug.log, query.log
        // etc. are written by Neo4j itself into server.directories.logs (set below).
        OutputStream userLogStream =
                new BufferedOutputStream(new FileOutputStream(logsDir.resolve("neo4j.log").toFile(), true));
        Log4jLogProvider userLogProvider = new Log4jLogProvider(userLogStream, Level.INFO);

        DatabaseManagementServiceBuilder builder = new DatabaseManagementServiceBuilder(dataDir);
        // Any other setting, as neo4j.conf would hold it: NEO4J_CONF="k=v;k=v". The settings
        // below still win over these.
        Map<String, String> extra = extraConfig(System.getenv("NEO4J_CONF"));
        if (!extra.isEmpty()) {
            Path extraConf = dataDir.resolve("neo4j-extra.conf");
            StringBuilder conf = new StringBuilder();
            extra.forEach((k, v) -> conf.append(k).append('=').append(v).append('\n'));
            Files.writeString(extraConf, conf.toString());
            builder.loadPropertiesFromFile(extraConf);
        }
        DatabaseManagementService managementService = builder
                .setUserLogProvider(userLogProvider)
                // Bolt is off by default in embedded mode. Loopback only.
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", boltPort))
                .setConfig(BoltConnector.advertised_address, new SocketAddress("127.0.0.1", boltPort))
                // No HTTP API: only Bolt is used.
                .setConfig(HttpConnector.enabled, false)
                .setConfig(HttpsConnector.enabled, false)
                // Auth is disabled: the only connector listens on 127.0.0.1, so only local
                // processes can reach this development/test instance. Never expose it.
                .setConfig(GraphDatabaseSettings.auth_enabled, false)
                // No anonymous usage reporting to neo4j.com from dev/test instances.
                .setConfig(GraphDatabaseSettings.udc_enabled, false)
                // Memory caps that do not depend on Neo4j's heap-based heuristics.
                .setConfig(GraphDatabaseSettings.pagecache_memory, SettingValueParsers.BYTES.parse(pagecache))
                .setConfig(
                        GraphDatabaseSettings.memory_transaction_global_max_size,
                        SettingValueParsers.BYTES.parse(txTotalMax))
                .setConfig(GraphDatabaseSettings.memory_transaction_max_size, SettingValueParsers.BYTES.parse(txMax))
                // Neo4j's own logs (debug.log, query.log, security.log, http.log) go to <datadir>/logs/.
                .setConfig(GraphDatabaseSettings.logs_directory, logsDir)
                // Bolt's netty event loop groups wait a 5 s "quiet period" each on shutdown
                // (10 s in total); 1 s is plenty for a local instance with no clients left.
                .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 1)
                .build();

        CountDownLatch stopped = new CountDownLatch(1);
        AtomicBoolean shutdownDone = new AtomicBoolean(false);
        Runtime.getRuntime().addShutdownHook(new Thread(
                () -> {
                    if (!shutdownDone.compareAndSet(false, true)) {
                        return;
                    }
                    log("shutdown requested, stopping Neo4j");
                    deleteQuietly(readyMarker);
                    try {
                        managementService.shutdown();
                        log("Neo4j stopped cleanly");
                    } catch (Throwable t) {
                        log("error during shutdown: " + t);
                        t.printStackTrace();
                    } finally {
                        userLogProvider.close();
                        deleteQuietly(pidFile);
                        stopped.countDown();
                    }
                },
                "neo4j-local-shutdown"));

        // Smoke test through the embedded API before declaring readiness. A failure throws to
        // main(), whose System.exit runs the shutdown hook above.
        GraphDatabaseService db = managementService.database(DEFAULT_DATABASE_NAME);
        Object one = db.executeTransactionally("RETURN 1 AS one", Map.of(), result -> result.next()
                .get("one"));
        if (!(one instanceof Number) || ((Number) one).intValue() != 1) {
            throw new IllegalStateException("RETURN 1 returned " + one);
        }
        writeAtomically(readyMarker, "bolt://127.0.0.1:" + boltPort + "\n");

        log("ready on bolt://127.0.0.1:" + boltPort + " after "
                + Duration.between(started, Instant.now()).toMillis() + " ms");

        // Block the main thread until the shutdown hook has finished.
        stopped.await();
    }

    private static String setting(String property, String env, String dflt) {
        String v = System.getProperty(property);
        if (v == null || v.isBlank()) {
            v = System.getenv(env);
        }
        return (v == null || v.isBlank()) ? dflt : v.trim();
    }

    private static void writeAtomically(Path target, String content) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            log("could not delete " + p + ": " + e);
        }
    }

    private static void log(String msg) {
        System.out.println(Instant.now() + " [neo4j-local] " + msg);
        System.out.flush();
    }
}
