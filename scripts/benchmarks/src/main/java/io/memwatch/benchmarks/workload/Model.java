package io.memwatch.benchmarks.workload;

import com.google.common.collect.ImmutableMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The object graph the workload pushes through Jackson and Guava: orders of a small shop, generated
 * from a seed so every run does exactly the same work. Public fields and no-argument constructors,
 * the plainest shape Jackson data-binds.
 */
final class Model {
  private static final String[] COUNTRIES = {"DE", "FR", "NL", "SE", "PL", "IT", "ES", "PT", "IE", "AT"};
  private static final String[] STATUSES = {"NEW", "PAID", "PACKED", "SHIPPED", "DELIVERED", "RETURNED"};
  private static final String[] WORDS = {
    "gift", "fragile", "express", "leave at door", "call first", "no invoice", "bulk", "sample", "priority", "weekend"
  };
  static final int CUSTOMERS = 5_000;
  static final int SKUS = 20_000;

  private Model() {}

  public static final class Order {
    public long id;
    public String customer;
    public String status;
    public Address shipTo;
    public List<Line> lines;
    public Map<String, String> tags;
    public double discount;
  }

  public static final class Line {
    public String sku;
    public int quantity;
    public long priceCents;
    public List<String> notes;
  }

  public static final class Address {
    public String street;
    public String city;
    public String zip;
    public String country;
  }

  /** {@code count} orders, the same for the same {@code seed}. */
  static List<Order> orders(long seed, int count) {
    SplittableRandom random = new SplittableRandom(seed);
    Order[] orders = new Order[count];
    for (int i = 0; i < count; i++) {
      orders[i] = order(random, seed * 1_000_003L + i);
    }
    return List.of(orders);
  }

  private static Order order(SplittableRandom random, long id) {
    Order order = new Order();
    order.id = id;
    order.customer = "customer-" + random.nextInt(CUSTOMERS);
    order.status = STATUSES[random.nextInt(STATUSES.length)];
    order.shipTo = address(random);
    int lineCount = 1 + random.nextInt(12);
    Line[] lines = new Line[lineCount];
    for (int i = 0; i < lineCount; i++) {
      lines[i] = line(random);
    }
    order.lines = List.of(lines);
    int tagCount = random.nextInt(4);
    // Guava's maps keep insertion order; the JDK's Map.of order can change from one JVM start to the next.
    order.tags = tagCount == 0 ? ImmutableMap.of()
        : tagCount == 1 ? ImmutableMap.of("channel", channel(random))
        : tagCount == 2 ? ImmutableMap.of("channel", channel(random), "campaign", "c" + random.nextInt(300))
        : ImmutableMap.of("channel", channel(random), "campaign", "c" + random.nextInt(300), "referrer", "r" + random.nextInt(50));
    order.discount = random.nextInt(5) == 0 ? random.nextInt(30) / 100.0 : 0.0;
    return order;
  }

  private static Line line(SplittableRandom random) {
    Line line = new Line();
    line.sku = "SKU-" + Integer.toString(random.nextInt(SKUS), 36).toUpperCase();
    line.quantity = 1 + random.nextInt(9);
    line.priceCents = 99 + random.nextInt(49_900);
    int noteCount = random.nextInt(3);
    line.notes = noteCount == 0 ? List.of()
        : noteCount == 1 ? List.of(WORDS[random.nextInt(WORDS.length)])
        : List.of(WORDS[random.nextInt(WORDS.length)], WORDS[random.nextInt(WORDS.length)]);
    return line;
  }

  private static Address address(SplittableRandom random) {
    Address address = new Address();
    address.street = random.nextInt(300) + " " + WORDS[random.nextInt(WORDS.length)] + " street";
    address.city = "city-" + random.nextInt(800);
    address.zip = String.valueOf(10_000 + random.nextInt(89_999));
    address.country = COUNTRIES[random.nextInt(COUNTRIES.length)];
    return address;
  }

  private static String channel(SplittableRandom random) {
    return random.nextBoolean() ? "web" : random.nextBoolean() ? "app" : "partner";
  }
}
