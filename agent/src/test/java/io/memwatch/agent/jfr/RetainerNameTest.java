package io.memwatch.agent.jfr;

import static org.assertj.core.api.Assertions.assertThat;

import io.memwatch.agent.jfr.RetainerName.Link;
import io.memwatch.agent.owncode.UserCode;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetainerNameTest {
  private final RetainerName names = new RetainerName(new UserCode(List.of("example.**"), List.of()));

  @Test
  void aStaticMapOfTheUsersCodeIsNamedByItsField() {
    // byte[] <- String.value <- HashMap$Node.value <- HashMap$Node[] <- HashMap.table <- class Audit.SEEN
    List<Link> path = List.of(
        new Link("byte[]", null, "value"),
        new Link("java.lang.String", null, "value"),
        new Link("java.util.HashMap$Node", null, null),
        new Link("java.util.HashMap$Node[]", null, "table"),
        new Link("java.util.HashMap", null, "SEEN"),
        new Link("java.lang.Class", "example.Audit", null));

    assertThat(names.of(path)).isEqualTo("example.Audit.SEEN (java.util.HashMap)");
  }

  @Test
  void aFieldOfTheUsersObjectBelowTheFrameworksStaticsIsNamed() {
    // ... <- ArrayList.elementData <- OrdersController.seen <- ConcurrentHashMap (beans) <- class Registry.BEANS
    List<Link> path = List.of(
        new Link("example.orders.Order", null, null),
        new Link("java.lang.Object[]", null, "elementData"),
        new Link("java.util.ArrayList", null, "seen"),
        new Link("example.orders.OrdersController", null, null),
        new Link("java.util.concurrent.ConcurrentHashMap$Node[]", null, "table"),
        new Link("java.util.concurrent.ConcurrentHashMap", null, "BEANS"),
        new Link("java.lang.Class", "org.framework.Registry", null));

    assertThat(names.of(path)).isEqualTo("example.orders.OrdersController.seen (java.util.ArrayList)");
  }

  @Test
  void withoutTheUsersCodeOnThePathTheFirstStaticFieldThenTheFieldNearestTheRootIsNamed() {
    List<Link> throughAStatic = List.of(
        new Link("byte[]", null, "value"),
        new Link("org.lib.Entry", null, null),
        new Link("java.lang.Object[]", null, "elementData"),
        new Link("java.util.ArrayList", null, "CACHE"),
        new Link("java.lang.Class", "org.lib.Pool", null));
    List<Link> fromAThread = List.of(
        new Link("byte[]", null, "value"),
        new Link("java.lang.ThreadLocal$ThreadLocalMap$Entry", null, null),
        new Link("java.lang.ThreadLocal$ThreadLocalMap$Entry[]", null, "table"),
        new Link("java.lang.ThreadLocal$ThreadLocalMap", null, "threadLocals"),
        new Link("java.lang.Thread", null, null));

    assertThat(names.of(throughAStatic)).isEqualTo("org.lib.Pool.CACHE (java.util.ArrayList)");
    assertThat(names.of(fromAThread)).isEqualTo("java.lang.Thread.threadLocals (java.lang.ThreadLocal$ThreadLocalMap)");
    assertThat(names.of(List.of(new Link("byte[]", null, null)))).isNull();
  }

  @Test
  void aStackHoldingAJdkStructuresInnardsIsAJdkMethodAtWorkNotARetainer() {
    // A put resizing the map holds its table in a local: byte[] <- Node.val <- Node[] <- the stack.
    List<Link> putAtWork = List.of(
        new Link("[B", null, "val"),
        new Link("java.util.concurrent.ConcurrentHashMap$Node", null, null),
        new Link("[Ljava.util.concurrent.ConcurrentHashMap$Node;", null, null));
    List<Link> addAtWork = List.of(
        new Link("[B", null, null),
        new Link("[Ljava.lang.Object;", null, null));
    List<Link> aWorkersLocalMap = List.of(
        new Link("[B", null, "val"),
        new Link("java.util.HashMap$Node", null, null),
        new Link("[Ljava.util.HashMap$Node;", null, "table"),
        new Link("java.util.HashMap", null, null));
    List<Link> aWorkersOwnObject = List.of(
        new Link("[B", null, "state"),
        new Link("example.Session", null, null));

    assertThat(RetainerName.jdkAtWork(putAtWork)).isTrue();
    assertThat(RetainerName.jdkAtWork(addAtWork)).isTrue();
    assertThat(RetainerName.jdkAtWork(aWorkersLocalMap)).isFalse();
    assertThat(RetainerName.jdkAtWork(aWorkersOwnObject)).isFalse();
    assertThat(RetainerName.jdkAtWork(List.of(new Link("[B", null, null)))).as("the object itself").isFalse();
  }

  @Test
  void arrayClassesAreNamedAsInSource() {
    assertThat(RetainerName.readable("[B")).isEqualTo("byte[]");
    assertThat(RetainerName.readable("[[Ljava.util.HashMap$Node;")).isEqualTo("java.util.HashMap$Node[][]");
    assertThat(RetainerName.readable("java.util.HashMap")).isEqualTo("java.util.HashMap");
  }

  @Test
  void aListenerListOnASingletonIsNamedByTheListNotByTheSingleton() {
    // byte[] <- Listener.state <- Object[] <- ArrayList.elementData <- Bus.listeners <- Bus <- class Bus.INSTANCE
    List<Link> path = List.of(
        new Link("byte[]", null, "state"),
        new Link("example.Bus$Listener", null, null),
        new Link("java.lang.Object[]", null, "elementData"),
        new Link("java.util.ArrayList", null, "listeners"),
        new Link("example.Bus", null, "INSTANCE"),
        new Link("java.lang.Class", "example.Bus", null));

    assertThat(names.of(path)).isEqualTo("example.Bus.listeners (java.util.ArrayList)");
  }

  @Test
  void aPathThroughMemwatchsOwnObjectsNamesNoRetainer() {
    List<Link> path = List.of(
        new Link("java.lang.Object[]", null, "elementData"),
        new Link("java.util.concurrent.CopyOnWriteArrayList", null, "allocationConsumers"),
        new Link("io.memwatch.collector.drain.EventDrain", null, null));

    assertThat(names.of(path)).isNull();
  }
}
