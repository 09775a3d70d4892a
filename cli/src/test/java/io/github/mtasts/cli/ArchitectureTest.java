package io.github.mtasts.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package map of docs/ARCHITECTURE.md, held against the product code (tests excluded): no package cycles, each
 * module's packages in data-flow order (a package uses only those listed before it), the resolver free of TLSRPT,
 * {@code policy} free of I/O, and no product class using benchmark code.
 */
class ArchitectureTest {

    private static final String ROOT = "io.github.mtasts";

    /** Each uses only packages before it in the list (and, for tlsrpt, any resolver package). */
    static final List<String> RESOLVER = List.of("text", "policy", "config", "dns", "discovery", "store", "cache",
            "refresh", "socketmap", "check", "daemon");
    static final List<String> TLSRPT = List.of("logs", "sessions", "aggregate", "datagrams", "ingest", "report", "delivery",
            "config", "schedule", "inbound", "dashboard");

    /** APIs that reach files, sockets, name servers or databases. */
    private static final Set<String> IO_PACKAGES = Set.of("java.io", "java.nio.file", "java.nio.channels",
            "java.net.http", "java.sql", "javax.net", "javax.net.ssl", "io.netty", "org.xbill.DNS", "io.lettuce",
            "com.zaxxer.hikari", "org.sqlite", "org.postgresql", "jakarta.mail", "org.slf4j");
    private static final Set<String> IO_CLASSES = Set.of("java.net.Socket", "java.net.ServerSocket",
            "java.net.DatagramSocket", "java.net.URL", "java.net.URLConnection", "java.net.HttpURLConnection",
            "java.net.InetAddress", "java.net.InetSocketAddress");

    private static JavaClasses product;

    @BeforeAll
    static void importProductClasses() {
        product = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                // in a full build the resolver's test classes come as its test-jar, which the option above misses
                .withImportOption(location -> !location.contains("-tests.jar"))
                .importPackages(ROOT);
    }

    @Test
    void seesEveryModule() {
        // the rules below would pass vacuously on an empty import
        for (String module : List.of("resolver.policy", "resolver.daemon", "tlsrpt.logs", "tlsrpt.dashboard", "cli")) {
            assertThat(product.stream().anyMatch(c -> c.getPackageName().startsWith(ROOT + "." + module)))
                    .as("classes of %s imported", module).isTrue();
        }
    }

    @Test
    void noPackageCycles() {
        slices().matching(ROOT + ".(*).(*)..").should().beFreeOfCycles().check(product);
    }

    @Test
    void resolverPackagesFollowTheDataFlow() {
        inOrder("resolver", RESOLVER);
    }

    @Test
    void tlsrptPackagesFollowTheDataFlow() {
        inOrder("tlsrpt", TLSRPT);
    }

    @Test
    void everyPackageIsPlacedInTheMap() {
        for (JavaClass c : product) {
            String pkg = c.getPackageName();
            if (pkg.startsWith(ROOT + ".resolver.")) {
                assertThat(RESOLVER).as("package of %s", c.getName()).contains(subPackage(pkg, "resolver"));
            } else if (pkg.startsWith(ROOT + ".tlsrpt.")) {
                assertThat(TLSRPT).as("package of %s", c.getName()).contains(subPackage(pkg, "tlsrpt"));
            }
        }
    }

    @Test
    void resolverNeverUsesTlsrpt() {
        noClasses().that().resideInAPackage(ROOT + ".resolver..")
                .should().dependOnClassesThat().resideInAPackage(ROOT + ".tlsrpt..")
                .check(product);
    }

    @Test
    void libraryModulesNeverUseTheCli() {
        noClasses().that().resideInAnyPackage(ROOT + ".resolver..", ROOT + ".tlsrpt..")
                .should().dependOnClassesThat().resideInAPackage(ROOT + ".cli..")
                .check(product);
    }

    @Test
    void policyIsPureParsing() {
        noClasses().that().resideInAPackage(ROOT + ".resolver.policy..")
                .should().dependOnClassesThat(doesIo())
                .orShould().dependOnClassesThat().resideInAnyPackage(RESOLVER.stream()
                        .filter(p -> !p.equals("policy") && !p.equals("text")).map(p -> ROOT + ".resolver." + p + "..")
                        .toArray(String[]::new))
                .check(product);
    }

    @Test
    void datagramsArePureDecoding() {
        noClasses().that().resideInAPackage(ROOT + ".tlsrpt.datagrams..")
                .should().dependOnClassesThat(doesIo())
                .check(product);
    }

    @Test
    void productCodeNeverUsesBenchmarkCode() {
        noClasses().should().dependOnClassesThat().resideInAPackage(ROOT + ".benchmarks..")
                .orShould().dependOnClassesThat().resideInAPackage("org.openjdk.jmh..")
                .check(product);
    }

    private static void inOrder(String module, List<String> order) {
        for (int i = 0; i < order.size(); i++) {
            List<String> later = order.subList(i + 1, order.size());
            if (later.isEmpty()) {
                continue;
            }
            ArchRule rule = noClasses().that().resideInAPackage(ROOT + "." + module + "." + order.get(i) + "..")
                    .should().dependOnClassesThat().resideInAnyPackage(later.stream()
                            .map(p -> ROOT + "." + module + "." + p + "..").toArray(String[]::new))
                    .because(order.get(i) + " comes before " + String.join(", ", later)
                            + " in the data flow (docs/ARCHITECTURE.md)");
            rule.check(product);
        }
    }

    private static String subPackage(String pkg, String module) {
        String rest = pkg.substring((ROOT + "." + module + ".").length());
        int dot = rest.indexOf('.');
        return dot < 0 ? rest : rest.substring(0, dot);
    }

    private static DescribedPredicate<JavaClass> doesIo() {
        return DescribedPredicate.describe("do I/O", c -> IO_CLASSES.contains(c.getName())
                || IO_PACKAGES.stream().anyMatch(p -> c.getPackageName().equals(p)
                        || c.getPackageName().startsWith(p + ".")));
    }
}
