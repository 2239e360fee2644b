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
