package io.github.mtasts.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;

/** The jar users install holds the product only: the benchmarks and load generators stay in their own module. */
class ProductJarTest {

    @Test
    void holdsNoBenchmarkOrLoadGeneratorClasses() throws IOException {
        Path jar = Path.of(System.getProperty("mtasts.jar"));
        try (JarFile file = new JarFile(jar.toFile())) {
            List<String> classes = file.stream().map(ZipEntry::getName).filter(n -> n.endsWith(".class")).toList();

            assertThat(classes).as("the CLI is there").contains("io/github/mtasts/cli/Main.class");
            assertThat(classes).noneMatch(n -> n.startsWith("io/github/mtasts/benchmarks/"))
                    .noneMatch(n -> n.startsWith("org/openjdk/jmh/"))
                    .noneMatch(n -> n.startsWith("io/github/mtasts/") && (n.contains("Benchmark")
                            || n.contains("SocketmapLoad") || n.contains("PostfixLogGenerator")
                            || n.contains("BenchCommand")));
        }
    }
}
