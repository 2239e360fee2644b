package io.memwatch.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import example.fixtures.ExitWithStatusApp;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Bad input and faults: one clear line, and the host runs on and exits with its own status. */
class FaultsIT {
  @Test
  void badValueIsOneLineNamingTheKeyAndTheHostRunsOn() throws Exception {
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      // port=banana falls back to the default port; host= gives the fallback somewhere harmless to go.
      try (ChildJvm child = ChildJvm.withAgent("port=banana").run(ExitWithStatusApp.class, "1500", "3")) {
        assertThat(child.waitFor(Duration.ofSeconds(30))).isEqualTo(3);
        assertThat(child.stderr()).filteredOn(l -> l.contains("'port'")).singleElement().asString()
            .startsWith("memwatch: ").contains("banana").contains("0 to 65535");
        assertThat(child.stdout()).contains("app: running", "app: done");
      }
    }
  }

  @Test
  void unknownKeyIsNamedAndTheRestStillApplies() throws Exception {
    try (ChildJvm child = ChildJvm.withAgent("colour=blue,port=0").run(ExitWithStatusApp.class, "3000", "0")) {
      assertThat(child.awaitStderr("unknown option 'colour'", Duration.ofSeconds(20))).startsWith("memwatch: ");
      assertThat(child.metricsUrl().getPort()).isPositive();
      assertThat(child.waitFor(Duration.ofSeconds(30))).isZero();
    }
  }

  @Test
  void busyPortIsOneLineNamingThePortAndTheHostRunsOn() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      try (ChildJvm child = ChildJvm.withAgent("port=" + port).run(ExitWithStatusApp.class, "3000", "3")) {
        String line = child.awaitStderr("cannot serve metrics", Duration.ofSeconds(20));
        assertThat(line).startsWith("memwatch: ").contains(":" + port).contains("port=0");
        assertThat(child.waitFor(Duration.ofSeconds(30))).isEqualTo(3);
        assertThat(child.stdout()).contains("app: done");
        assertThat(child.stderr()).noneMatch(l -> l.contains("Exception in thread"));
      }
    }
  }

  /** Hostile agent arguments (the parser's own fuzzing is in OptionsTest): the host starts and ends as it would. */
  @Test
  void hostileArgumentsLeaveTheHostAsItIsAndEachComplaintIsOneLine() throws Exception {
    // Every value below is refused (one line each) and falls back to its default: nothing is tuned.
    // The refused keys are ones no promise depends on; OptionsTest refuses bad values of every key.
    String[] arguments = {
        "port=0,unknown\nmemwatch: forged line=1,host=\u0007",
        "port=0,,,=,==,heapDumpMax=-1,topSites=99999999999999,debug=maybe,include=;;;,exclude=**",
        "port=0,heapDumpEndpoint=true,heapDumpToken=short,tlsKeyStore=,basicAuthUser=\t"};
    java.util.List<ChildJvm> children = new java.util.ArrayList<>();
    try {
      for (String argument : arguments) {
        children.add(ChildJvm.withAgent(argument).run(ExitWithStatusApp.class, "1500", "7"));
      }
      for (int i = 0; i < arguments.length; i++) {
        ChildJvm child = children.get(i);
        assertThat(child.waitFor(Duration.ofSeconds(60))).as(arguments[i]).isEqualTo(7);
        assertThat(child.stdout()).as(arguments[i]).containsExactly("app: running", "app: done");
        assertThat(child.stderr()).as(arguments[i]).isNotEmpty().allSatisfy(line -> assertThat(line).startsWith("memwatch: "));
        assertThat(child.stderr()).as(arguments[i]).noneMatch(line -> line.startsWith("memwatch: forged"));
      }
      for (String key : new String[] {"'heapDumpMax'", "'debug'", "'topSites'"}) {
        assertThat(children.get(1).stderr()).as("%s refused, its default kept", key)
            .anySatisfy(line -> assertThat(line).contains(key).contains("using the default"));
      }
    } finally {
      children.forEach(ChildJvm::close);
    }
  }
}
