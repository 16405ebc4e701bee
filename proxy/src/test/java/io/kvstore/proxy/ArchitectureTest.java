package io.kvstore.proxy;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.Architectures.LayeredArchitecture;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Keeps the package map of doc/architecture.md true: the proxy's packages form no cycle, and a package only depends on
 * packages of a lower layer (or of its own layer, which the cycle rule still keeps acyclic).
 *
 * <p>Invariant: {@link #LAYERS} is the one statement of the layer order, top first; the map in doc/architecture.md
 * repeats it in words. A new package must be added to a layer here, or the layer rule fails on it as soon as a layered
 * package depends on it or it on one. Nothing is frozen: every rule holds in full today. Only main classes are read, on
 * JUnit's thread.
 */
@AnalyzeClasses(packages = "io.kvstore.proxy", importOptions = ImportOption.DoNotIncludeTests.class)
final class ArchitectureTest {

    /** One layer: a name for messages and the packages (under io.kvstore.proxy) it holds. */
    private record Layer(String name, String... packages) {}

    /**
     * Top to bottom. The request path reads down this list: server accepts, session frames and dispatches, split and
     * keyspace fan out, backend connections carry, resp and route are the vocabulary every layer shares. The control
     * plane (control, failover, health) sits above the data path so the data path can never call into it; the data
     * path sees the control plane's results only as a swapped SlotMap in route.
     */
    private static final List<Layer> LAYERS = List.of(
            new Layer("server", "server"),
            new Layer("edges", "metrics", "control"),
            new Layer("control plane", "failover", "health"),
            new Layer("session", "session"),
            new Layer("multi-key", "split", "keyspace"),
            new Layer("loop", "loop"),
            new Layer("connections", "tracking", "pubsub", "backend"),
            new Layer("policy and figures", "acl", "rewrite", "stats", "hotkeys"),
            new Layer("command", "command"),
            new Layer("base", "resp", "route", "tls"));

    @ArchTest
    static final ArchRule noPackageCycles = slices().matching("io.kvstore.proxy.(*)..")
            .should()
            .beFreeOfCycles()
            .because("doc/architecture.md: layers only point down");

    @ArchTest
    static final ArchRule importsPointDown = layers().because("doc/architecture.md: a package imports only below it");

    @ArchTest
    static final ArchRule everyPackageHasALayer = classes()
            .that()
            .resideInAPackage("io.kvstore.proxy..")
            .should()
            .resideInAnyPackage(allPackages())
            .because("a new package needs a place in ArchitectureTest.LAYERS and doc/architecture.md");

    private static final String DISPATCHER = "io.kvstore.proxy.session.CommandDispatcher";
    private static final String BACKEND_CONNECTION = "io.kvstore.proxy.backend.BackendConnection";

    /** Gates, the router and transactions share helpers of their own; the dispatcher only runs the sequence. */
    @ArchTest
    static final ArchRule nothingCallsTheDispatcherStatically = noStaticCallsInto(DISPATCHER)
            .because("issue 17: a helper lives where its users are, not in CommandDispatcher");

    /** The server asks each loop's pool to drain (BackendPool.drain); it never drives a connection itself. */
    @ArchTest
    static final ArchRule serverDrivesNoBackendConnection = noClasses()
            .that()
            .resideInAPackage("io.kvstore.proxy.server..")
            .should()
            .callMethodWhere(methodOf(BACKEND_CONNECTION))
            .because("issue 17: the drain barrier asks the backend pool instead of reaching into connections");

    private static ArchRule noStaticCallsInto(String owner) {
        return noClasses().should().callMethodWhere(staticMethodOf(owner).and(calledFromOutside(owner)));
    }

    private static DescribedPredicate<JavaMethodCall> methodOf(String owner) {
        return DescribedPredicate.describe("a method of " + owner, call -> call.getTargetOwner().getName().equals(owner));
    }

    private static DescribedPredicate<JavaMethodCall> staticMethodOf(String owner) {
        return DescribedPredicate.describe("a static method of " + owner, call -> call.getTargetOwner().getName().equals(owner)
                && call.getTarget().resolveMember().map(m -> m.getModifiers().contains(JavaModifier.STATIC)).orElse(false));
    }

    private static DescribedPredicate<JavaMethodCall> calledFromOutside(String owner) {
        return DescribedPredicate.describe("called from outside " + owner,
                call -> !call.getOriginOwner().getName().equals(owner) && !call.getOriginOwner().getName().startsWith(owner + "$"));
    }

    /**
     * Positive control: the rules must fail on the deliberate upward import in test sources
     * ({@code resp.UpwardDependency} names a {@code session} type), or a green run above would prove nothing.
     */
    @Test
    void rulesCatchAnUpwardImportAndTheCycleItCloses() {
        JavaClasses withFixture = new ClassFileImporter().importPackages("io.kvstore.proxy.resp", "io.kvstore.proxy.session");
        assertTrue(withFixture.contain("io.kvstore.proxy.resp.UpwardDependency"), "fixture imported");
        assertTrue(importsPointDown.evaluate(withFixture).hasViolation(), "layer rule sees resp -> session");
        assertTrue(noPackageCycles.evaluate(withFixture).hasViolation(), "cycle rule sees resp -> session -> resp");
    }

    /**
     * Positive controls for the call rules: the server rule must flag the fixture {@code server.ReachesIntoConnection}
     * (test sources), and the static-call rule, aimed at a class whose static methods main code does call
     * ({@code resp.RespWriter}), must flag those calls; CommandDispatcher has none left to flag.
     */
    @Test
    void callRulesCatchAServerDrivingAConnectionAndAStaticCall() {
        JavaClasses withFixture = new ClassFileImporter().importPackages("io.kvstore.proxy.server");
        assertTrue(withFixture.contain("io.kvstore.proxy.server.ReachesIntoConnection"), "fixture imported");
        assertTrue(serverDrivesNoBackendConnection.evaluate(withFixture).hasViolation(), "server -> BackendConnection seen");
        JavaClasses main = new ClassFileImporter().withImportOption(new ImportOption.DoNotIncludeTests())
                .importPackages("io.kvstore.proxy");
        assertTrue(noStaticCallsInto("io.kvstore.proxy.resp.RespWriter").evaluate(main).hasViolation(), "static calls seen");
    }

    private static LayeredArchitecture layers() {
        LayeredArchitecture rule = layeredArchitecture().consideringOnlyDependenciesInLayers();
        for (Layer layer : LAYERS) {
            rule = rule.layer(layer.name()).definedBy(identifiers(layer.packages()));
        }
        List<String> above = new ArrayList<>();
        for (Layer layer : LAYERS) {
            if (above.isEmpty()) {
                rule = rule.whereLayer(layer.name()).mayNotBeAccessedByAnyLayer();
            } else {
                rule = rule.whereLayer(layer.name()).mayOnlyBeAccessedByLayers(above.toArray(String[]::new));
            }
            above.add(layer.name());
        }
        return rule;
    }

    private static String[] allPackages() {
        return identifiers(LAYERS.stream().flatMap(l -> Arrays.stream(l.packages())).toArray(String[]::new));
    }

    private static String[] identifiers(String... packages) {
        return Arrays.stream(packages).map(p -> "io.kvstore.proxy." + p + "..").toArray(String[]::new);
    }
}
