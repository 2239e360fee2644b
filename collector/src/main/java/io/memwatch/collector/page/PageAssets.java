package io.memwatch.collector.page;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/**
 * The live page's files, served from memwatch's own jar: the page, its script and style, and uPlot
 * (from its WebJar, copied under this package at build time so that no {@code META-INF/resources}
 * of memwatch's can shadow a WebJar of the host's). Nothing comes from the network.
 */
public final class PageAssets {
  /** A file and its content type. */
  public record Asset(String resource, String contentType) {}

  public static final String PAGE = "/";
  public static final String FEED = "/live.json";
  private static final String HTML = "text/html; charset=utf-8";
  private static final String SCRIPT = "text/javascript; charset=utf-8";
  private static final String STYLE = "text/css; charset=utf-8";
  private static final Map<String, Asset> BY_PATH = Map.of(
      PAGE, new Asset("index.html", HTML),
      "/page/live.js", new Asset("live.js", SCRIPT),
      "/page/live.css", new Asset("live.css", STYLE),
      "/page/uPlot.iife.min.js", new Asset("uplot/uPlot.iife.min.js", SCRIPT),
      "/page/uPlot.min.css", new Asset("uplot/uPlot.min.css", STYLE),
      "/page/uPlot-LICENSE", new Asset("uplot/LICENSE", "text/plain; charset=utf-8"));

  /**
   * What the page may load and do: its own files and feed, nothing else, never framed. uPlot sets
   * element styles from script (which this allows) and no inline script or style is used.
   */
  public static final String CONTENT_SECURITY_POLICY =
      "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:;"
          + " frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

  private PageAssets() {}

  /** The asset served on {@code path}, or null. */
  public static Asset at(String path) {
    return BY_PATH.get(path);
  }

  /** Its bytes, read from the jar each time: the page is rarely open, and its bytes need not stay in the host's heap. */
  public static byte[] read(Asset asset) throws IOException {
    try (InputStream in = PageAssets.class.getResourceAsStream(asset.resource())) {
      if (in == null) {
        throw new IOException("memwatch's jar lacks " + asset.resource());
      }
      return in.readAllBytes();
    }
  }
}
