package io.memwatch.collector.leak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrendWindowTest {
  @Test
  void theDefaultLadderDoublesFromOneMinuteToTwoHours() {
    List<TrendWindow> ladder = TrendWindow.ladder(LeakSettings.defaults());

    assertThat(ladder)
        .extracting(TrendWindow::seconds)
        .containsExactly(60.0, 120.0, 240.0, 480.0, 960.0, 1800.0, 3600.0, 7200.0);
    assertThat(ladder)
        .extracting(TrendWindow::floorsOnly)
        .containsExactly(false, true, true, true, true, true, true, true);
    assertThat(ladder.get(0).riseFraction()).isEqualTo(0.10);
    assertThat(ladder.get(5).riseFraction()).isCloseTo(0.004, within(1e-12));
    assertThat(ladder.get(7).riseFraction()).isEqualTo(0.004);
    // Geometric in between: each doubling lowers the bar by the same factor.
    double factor = ladder.get(2).riseFraction() / ladder.get(1).riseFraction();
    assertThat(ladder.get(4).riseFraction() / ladder.get(3).riseFraction())
        .isCloseTo(factor, within(1e-9));
  }

  @Test
  void settingsThatCannotWorkAreRefused() {
    LeakSettings defaults = LeakSettings.defaults();
    assertThatThrownBy(() -> defaults.withWindows(Duration.ofSeconds(60), Duration.ofSeconds(90)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("twice");
    assertThatThrownBy(() -> defaults.withWindows(Duration.ofMillis(5), Duration.ofSeconds(90)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> defaults.withClearAfter(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
