// The Lucene side of bench/compare_lucene.sh: indexes the terms Fathom's
// analyzer produced (fathom-bench analyze) and replays the same analyzed
// queries with the same BM25 parameters, timing them like fathom-bench
// queries does.
//
//   java -cp lucene-core.jar:. LuceneBench index DOCS.txt INDEX_DIR
//   java -cp lucene-core.jar:. LuceneBench search INDEX_DIR QUERIES.analyzed
//        [--modes top10,top100,count] [--threads 1,2] [--warmup-queries 20000]
//        [--runs 3] [--compare FATHOM_RESULTS.tsv] [--json FILE] [--per-query FILE]
//        [--interleave COMMAND --rounds 15 --interleave-json FILE]
//   --per-query appends "mode<TAB>threads<TAB>qid<TAB>mean us" per query.
//   --interleave: after the timed runs, each round times, per mode and
//   query kind, one pass of the kind's queries on one thread, then runs
//   `bash -c COMMAND` with MODE, KIND and ROUND in its environment, which
//   times the other engine on the same queries and prints its mean
//   microseconds a query as its last line. Both engines are then measured
//   seconds apart, round after round, so a machine whose speed drifts
//   between minutes moves both alike; the ratio of each round is kept, and
//   their median reported.
//
// Documents: one per line, "title terms<TAB>body terms", terms separated by
// single spaces, "\u0001N" meaning N skipped positions. Both parts go into
// one field "text" (two values, 100 positions apart, like Fathom's fields),
// so document lengths and term statistics are Fathom's. Doc ids: documents
// are added in order by one thread and merged with a LogMergePolicy, which
// keeps that order, so Lucene's doc N is Fathom's doc N (checked).
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tokenattributes.PositionIncrementAttribute;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexOptions;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LogByteSizeMergePolicy;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.BoostQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.PhraseQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.TopScoreDocCollector;
import org.apache.lucene.search.similarities.BM25Similarity;
import org.apache.lucene.store.FSDirectory;

public final class LuceneBench {
  static final String FIELD = "text";
  static final float K1 = 0.9f;
  static final float B = 0.4f;

  // Splits on single spaces; "\u0001N" adds N to the next term's increment.
  static final class PreAnalyzedTokenizer extends Tokenizer {
    private final CharTermAttribute term = addAttribute(CharTermAttribute.class);
    private final PositionIncrementAttribute increment =
        addAttribute(PositionIncrementAttribute.class);
    private String text;
    private int at;

    @Override
    public void reset() throws IOException {
      super.reset();
      StringBuilder all = new StringBuilder();
      char[] buffer = new char[8192];
      for (int n; (n = input.read(buffer)) > 0; ) all.append(buffer, 0, n);
      text = all.toString();
      at = 0;
    }

    @Override
    public boolean incrementToken() {
      clearAttributes();
      int gap = 0;
      while (at < text.length()) {
        int end = text.indexOf(' ', at);
        if (end < 0) end = text.length();
        if (end == at) {
          at = end + 1;
          continue;
        }
        if (text.charAt(at) == '\u0001') {
          gap += Integer.parseInt(text.substring(at + 1, end));
          at = end + 1;
          continue;
        }
        term.append(text, at, end);
        increment.setPositionIncrement(1 + gap);
        at = end + 1;
        return true;
      }
      return false;
    }
  }

  static final class PreAnalyzed extends Analyzer {
    @Override
    protected TokenStreamComponents createComponents(String field) {
      return new TokenStreamComponents(new PreAnalyzedTokenizer());
    }

    @Override
    public int getPositionIncrementGap(String field) {
      return 100;
    }
  }

  static void index(String docsPath, String indexDir) throws IOException {
    IndexWriterConfig config = new IndexWriterConfig(new PreAnalyzed());
    config.setSimilarity(new BM25Similarity(K1, B));
    config.setRAMBufferSizeMB(1024);
    config.setMergePolicy(new LogByteSizeMergePolicy());  // keeps doc order
    config.setOpenMode(IndexWriterConfig.OpenMode.CREATE);
    FieldType type = new FieldType();
    type.setIndexOptions(IndexOptions.DOCS_AND_FREQS_AND_POSITIONS);
    type.setTokenized(true);
    type.freeze();
    long start = System.nanoTime();
    int count = 0;
    try (IndexWriter writer = new IndexWriter(FSDirectory.open(Paths.get(indexDir)), config);
        BufferedReader in = Files.newBufferedReader(Paths.get(docsPath), StandardCharsets.UTF_8)) {
      for (String line; (line = in.readLine()) != null; ) {
        int tab = line.indexOf('\t');
        Document doc = new Document();
        doc.add(new Field(FIELD, line.substring(0, tab), type));
        doc.add(new Field(FIELD, line.substring(tab + 1), type));
        doc.add(new NumericDocValuesField("fathom_id", count));
        writer.addDocument(doc);
        if (++count % 100000 == 0) System.err.println("indexed " + count);
      }
      writer.forceMerge(1);
    }
    System.err.printf(Locale.ROOT, "indexed %d documents in %.1f s (one merged segment)%n", count,
        (System.nanoTime() - start) / 1e9);
  }

  static final class Q {
    String qid, kind;
    Query query;
  }

  static List<Q> readQueries(String path) throws IOException {
    List<Q> queries = new ArrayList<>();
    for (String line : Files.readAllLines(Paths.get(path), StandardCharsets.UTF_8)) {
      if (line.isEmpty()) continue;
      String[] parts = line.split("\t");
      Q q = new Q();
      q.qid = parts[0];
      q.kind = parts[1];
      BooleanQuery.Builder bool = new BooleanQuery.Builder();
      List<Query> single = new ArrayList<>();
      int scoring = 0;
      for (int i = 2; i < parts.length; i++) {
        String[] items = parts[i].split(" ");
        char occur = items[0].charAt(0);
        float weight = Float.parseFloat(items[1]);
        Query clause;
        if (items.length == 3) {
          clause = new TermQuery(new Term(FIELD, items[2].substring(0, items[2].lastIndexOf('/'))));
        } else {
          PhraseQuery.Builder phrase = new PhraseQuery.Builder();
          for (int j = 2; j < items.length; j++) {
            int slash = items[j].lastIndexOf('/');
            phrase.add(new Term(FIELD, items[j].substring(0, slash)),
                Integer.parseInt(items[j].substring(slash + 1)));
          }
          clause = phrase.build();
        }
        if (weight != 1.0f) clause = new BoostQuery(clause, weight);
        BooleanClause.Occur o = occur == '+' ? BooleanClause.Occur.MUST
            : occur == '-' ? BooleanClause.Occur.MUST_NOT : BooleanClause.Occur.SHOULD;
        bool.add(clause, o);
        if (o != BooleanClause.Occur.MUST_NOT) {
          scoring++;
          single.add(clause);
        }
      }
      // One scoring clause and nothing else: the plain term or phrase query
      // (what Lucene's own rewrite would give).
      q.query = scoring == 1 && parts.length == 3 ? single.get(0) : bool.build();
      queries.add(q);
    }
    return queries;
  }

  static final class Mode {
    final String name;
    final int k;

    Mode(String name, int k) {
      this.name = name;
      this.k = k;
    }
  }

  static long run(IndexSearcher searcher, Q q, Mode mode) throws IOException {
    if (mode.k == 0) return searcher.count(q.query);
    // Total-hits threshold k: count no more than needed, so that Lucene
    // prunes (block-max WAND / impacts) as early as it can.
    TopScoreDocCollector collector = TopScoreDocCollector.create(mode.k, mode.k);
    searcher.search(q.query, collector);
    return collector.topDocs().scoreDocs.length;
  }

  static double percentile(double[] sorted, double p) {
    int rank = (int) Math.ceil(p * sorted.length);
    return sorted[Math.max(1, Math.min(rank, sorted.length)) - 1];
  }

  static String row(String mode, int threads, String kind, List<Double> micros, int runs,
      double wall, StringBuilder json) {
    double[] v = micros.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(v);
    double total = 0;
    for (double x : v) total += x;
    double mean = total / v.length;
    double qps = wall > 0 ? v.length / wall : v.length * threads / (total / 1e6);
    if (json.length() > 0) json.append(",\n");
    json.append(String.format(Locale.ROOT,
        "    {\"mode\": \"%s\", \"threads\": %d, \"kind\": \"%s\", \"count\": %d, \"samples\": %d, "
            + "\"mean_us\": %.2f, \"p50_us\": %.2f, \"p90_us\": %.2f, \"p99_us\": %.2f, "
            + "\"max_us\": %.2f, \"qps\": %.1f}",
        mode, threads, kind, v.length / runs, v.length, mean, percentile(v, 0.5),
        percentile(v, 0.9), percentile(v, 0.99), v[v.length - 1], qps));
    return String.format(Locale.ROOT, "%-10s %-7s %3d %-7s %7d %10.1f %10.1f %10.1f %10.1f %10.1f %9.0f",
        "lucene", mode, threads, kind, v.length / runs, mean, percentile(v, 0.5), percentile(v, 0.9),
        percentile(v, 0.99), v[v.length - 1], qps);
  }

  // Top-10 agreement with Fathom's results ("qid<TAB>count<TAB>doc:score ...").
  static void compare(IndexSearcher searcher, List<Q> queries, String path) throws IOException {
    Map<String, String[]> fathom = new HashMap<>();
    for (String line : Files.readAllLines(Paths.get(path), StandardCharsets.UTF_8)) {
      String[] parts = line.split("\t", -1);
      fathom.put(parts[0], parts);
    }
    NumericDocValues ids = null;
    Map<String, double[]> byKind = new LinkedHashMap<>();  // overlap sum, queries, count equal
    for (Q q : queries) {
      String[] f = fathom.get(q.qid);
      if (f == null) continue;
      Set<Integer> theirs = new HashSet<>();
      List<Integer> theirOrder = new ArrayList<>();
      if (!f[2].isEmpty()) {
        for (String hit : f[2].split(" ")) {
          int doc = Integer.parseInt(hit.substring(0, hit.indexOf(':')));
          if (theirOrder.size() < 10) {
            theirs.add(doc);
            theirOrder.add(doc);
          }
        }
      }
      TopDocs top = searcher.search(q.query, 10);
      int common = 0;
      for (ScoreDoc sd : top.scoreDocs) {
        if (theirs.contains(sd.doc)) common++;
      }
      int denominator = Math.max(theirs.size(), top.scoreDocs.length);
      double overlap = denominator == 0 ? 1.0 : (double) common / denominator;
      long count = searcher.count(q.query);
      double[] acc = byKind.computeIfAbsent(q.kind, k -> new double[3]);
      acc[0] += overlap;
      acc[1] += 1;
      acc[2] += count == Long.parseLong(f[1]) ? 1 : 0;
    }
    System.out.println("agreement with Fathom (top-10 overlap, mean over queries; match counts equal):");
    for (Map.Entry<String, double[]> e : byKind.entrySet()) {
      double[] acc = e.getValue();
      System.out.printf(Locale.ROOT, "  %-7s top-10 overlap %.3f   equal counts %d/%d%n", e.getKey(),
          acc[0] / acc[1], (long) acc[2], (long) acc[1]);
    }
    System.out.println();
  }

  static void search(String indexDir, String queriesPath, Map<String, String> options)
      throws Exception {
    List<Mode> modes = new ArrayList<>();
    for (String m : options.getOrDefault("modes", "top10,top100,count").split(",")) {
      modes.add(new Mode(m, m.equals("count") ? 0 : Integer.parseInt(m.substring(3))));
    }
    int warmupQueries = Integer.parseInt(options.getOrDefault("warmup-queries", "20000"));
    int runs = Integer.parseInt(options.getOrDefault("runs", "3"));
    List<Integer> threadCounts = new ArrayList<>();
    for (String t : options.getOrDefault("threads", "1").split(",")) {
      threadCounts.add(t.equals("all") ? Runtime.getRuntime().availableProcessors()
                                       : Integer.parseInt(t));
    }
    DirectoryReader reader = DirectoryReader.open(FSDirectory.open(Paths.get(indexDir)));
    IndexSearcher searcher = new IndexSearcher(reader);
    searcher.setSimilarity(new BM25Similarity(K1, B));
    searcher.setQueryCache(null);  // every timed query is evaluated, as in Fathom
    if (reader.leaves().size() != 1) throw new IllegalStateException("expected one segment");
    NumericDocValues ids = reader.leaves().get(0).reader().getNumericDocValues("fathom_id");
    for (int doc = 0; doc < reader.maxDoc(); doc += Math.max(1, reader.maxDoc() / 1000)) {
      if (!ids.advanceExact(doc) || ids.longValue() != doc) {
        throw new IllegalStateException("Lucene doc " + doc + " is not Fathom's doc " + doc);
      }
    }
    List<Q> queries = readQueries(queriesPath);
    System.out.printf(Locale.ROOT, "lucene %s, %d documents, %d queries; JVM %s%n",
        org.apache.lucene.util.Version.LATEST, reader.maxDoc(), queries.size(),
        System.getProperty("java.version"));

    // Warm-up: the JIT compiles the hot paths only after thousands of calls.
    long warmStart = System.nanoTime();
    for (int i = 0; i < warmupQueries; i++) {
      Q q = queries.get(i % queries.size());
      for (Mode mode : modes) run(searcher, q, mode);
    }
    System.out.printf(Locale.ROOT, "warm-up: %d queries x %d modes in %.1f s%n%n", warmupQueries,
        modes.size(), (System.nanoTime() - warmStart) / 1e9);
    if (options.containsKey("compare")) compare(searcher, queries, options.get("compare"));

    StringBuilder json = new StringBuilder();
    System.out.printf(Locale.ROOT, "%-10s %-7s %3s %-7s %7s %10s %10s %10s %10s %10s %9s%n",
        "engine", "mode", "thr", "kind", "queries", "mean us", "p50 us", "p90 us", "p99 us",
        "max us", "QPS");
    for (int threads : threadCounts) {
      for (Mode mode : modes) {
        int total = queries.size() * runs;
        AtomicInteger next = new AtomicInteger();
        List<List<double[]>> perThread = new ArrayList<>();
        Thread[] pool = new Thread[threads];
        long start = System.nanoTime();
        for (int t = 0; t < threads; t++) {
          List<double[]> samples = new ArrayList<>();
          perThread.add(samples);
          pool[t] = new Thread(() -> {
            try {
              for (int i = next.getAndIncrement(); i < total; i = next.getAndIncrement()) {
                int qi = i % queries.size();
                long begin = System.nanoTime();
                long result = run(searcher, queries.get(qi), mode);
                long end = System.nanoTime();
                if (result < 0) throw new IllegalStateException();
                samples.add(new double[] {qi, (end - begin) / 1e3});
              }
            } catch (IOException e) {
              throw new RuntimeException(e);
            }
          });
          pool[t].start();
        }
        for (Thread thread : pool) thread.join();
        double wall = (System.nanoTime() - start) / 1e9;
        Map<String, List<Double>> byKind = new LinkedHashMap<>();
        for (String kind : new String[] {"term", "and", "union", "phrase", "mixed"}) {
          byKind.put(kind, new ArrayList<>());
        }
        List<Double> all = new ArrayList<>();
        for (List<double[]> samples : perThread) {
          for (double[] s : samples) {
            byKind.computeIfAbsent(queries.get((int) s[0]).kind, k -> new ArrayList<>()).add(s[1]);
            all.add(s[1]);
          }
        }
        if (options.containsKey("per-query")) {
          // Each query's mean over the runs, to find where the engines differ most.
          double[] sum = new double[queries.size()];
          int[] seen = new int[queries.size()];
          for (List<double[]> samples : perThread) {
            for (double[] s : samples) {
              sum[(int) s[0]] += s[1];
              seen[(int) s[0]]++;
            }
          }
          try (PrintStream out = new PrintStream(new java.io.FileOutputStream(
                   options.get("per-query"), true), false, "UTF-8")) {
            for (int i = 0; i < queries.size(); i++) {
              out.printf(Locale.ROOT, "%s\t%d\t%s\t%.1f%n", mode.name, threads,
                  queries.get(i).qid, sum[i] / Math.max(1, seen[i]));
            }
          }
        }
        for (Map.Entry<String, List<Double>> e : byKind.entrySet()) {
          if (e.getValue().isEmpty()) continue;
          System.out.println(row(mode.name, threads, e.getKey(), e.getValue(), runs, 0, json));
        }
        System.out.println(row(mode.name, threads, "all", all, runs, wall, json));
        System.out.println();
      }
    }
    if (options.containsKey("interleave")) interleave(searcher, queries, modes, options);
    if (options.containsKey("json")) {
      try (PrintStream out = new PrintStream(options.get("json"), "UTF-8")) {
        out.printf(Locale.ROOT,
            "{%n  \"engine\": \"lucene\",%n  \"version\": \"%s\",%n  \"documents\": %d,%n"
                + "  \"unit\": \"microseconds\",%n  \"results\": [%n%s%n  ]%n}%n",
            org.apache.lucene.util.Version.LATEST, reader.maxDoc(), json);
      }
    }
    reader.close();
  }

  static double[] sorted(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
  }

  // The other engine's mean microseconds a query for one round (the last
  // line COMMAND prints); throws when it fails or prints no number.
  static double otherEngine(String command, String mode, String kind, int round)
      throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder("bash", "-c", command);
    builder.environment().put("MODE", mode);
    builder.environment().put("KIND", kind);
    builder.environment().put("ROUND", Integer.toString(round));
    builder.redirectErrorStream(true);
    Process process = builder.start();
    String last = null;
    try (BufferedReader out = new BufferedReader(
             new java.io.InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        if (!line.isBlank()) last = line.trim();
      }
    }
    int status = process.waitFor();
    if (status != 0 || last == null) {
      throw new IllegalStateException("--interleave command failed for " + mode + " " + kind
          + " (exit " + status + "): " + last);
    }
    return Double.parseDouble(last);
  }

  static void interleave(IndexSearcher searcher, List<Q> queries, List<Mode> modes,
                         Map<String, String> options) throws Exception {
    String command = options.get("interleave");
    int rounds = Integer.parseInt(options.getOrDefault("rounds", "15"));
    Map<String, List<Q>> byKind = new TreeMap<>();
    for (Q q : queries) byKind.computeIfAbsent(q.kind, k -> new ArrayList<>()).add(q);
    // Per "mode kind": Lucene's means, the other engine's, and their ratios.
    Map<String, List<Double>> lucene = new LinkedHashMap<>(), other = new LinkedHashMap<>(),
                              ratio = new LinkedHashMap<>();
    for (int round = 1; round <= rounds; round++) {
      for (Mode mode : modes) {
        for (Map.Entry<String, List<Q>> e : byKind.entrySet()) {
          long begin = System.nanoTime();
          for (Q q : e.getValue()) {
            if (run(searcher, q, mode) < 0) throw new IllegalStateException();
          }
          double luceneMean = (System.nanoTime() - begin) / 1e3 / e.getValue().size();
          double otherMean = otherEngine(command, mode.name, e.getKey(), round);
          String key = mode.name + " " + e.getKey();
          lucene.computeIfAbsent(key, k -> new ArrayList<>()).add(luceneMean);
          other.computeIfAbsent(key, k -> new ArrayList<>()).add(otherMean);
          ratio.computeIfAbsent(key, k -> new ArrayList<>()).add(otherMean / luceneMean);
        }
      }
    }
    System.out.printf(Locale.ROOT,
        "Interleaved, %d rounds, 1 thread: per round one pass of a kind's queries on Lucene, "
            + "then the other engine's%n%-7s %-7s %12s %12s %14s %8s %8s%n",
        rounds, "mode", "kind", "other med us", "Lucene med us", "med ratio", "min", "max");
    StringBuilder json = new StringBuilder();
    for (String key : ratio.keySet()) {
      String[] part = key.split(" ");
      double[] r = sorted(ratio.get(key));
      double median = percentile(r, 0.5);
      double otherMedian = percentile(sorted(other.get(key)), 0.5);
      double luceneMedian = percentile(sorted(lucene.get(key)), 0.5);
      System.out.printf(Locale.ROOT, "%-7s %-7s %12.1f %12.1f %14.3f %8.3f %8.3f%n", part[0],
          part[1], otherMedian, luceneMedian, median, r[0], r[r.length - 1]);
      if (json.length() > 0) json.append(",\n");
      json.append(String.format(Locale.ROOT,
          "    {\"mode\": \"%s\", \"kind\": \"%s\", \"rounds\": %d, \"other_median_us\": %.1f, "
              + "\"lucene_median_us\": %.1f, \"ratio_median\": %.4f, \"ratios\": %s}",
          part[0], part[1], rounds, otherMedian, luceneMedian, median,
          ratio.get(key).toString()));
    }
    System.out.println();
    if (options.containsKey("interleave-json")) {
      try (PrintStream out = new PrintStream(options.get("interleave-json"), "UTF-8")) {
        out.printf(Locale.ROOT, "{%n  \"rounds\": %d,%n  \"results\": [%n%s%n  ]%n}%n", rounds,
            json);
      }
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length >= 3 && args[0].equals("index")) {
      index(args[1], args[2]);
      return;
    }
    if (args.length >= 3 && args[0].equals("search")) {
      Map<String, String> options = new HashMap<>();
      for (int i = 3; i + 1 < args.length; i += 2) options.put(args[i].substring(2), args[i + 1]);
      search(args[1], args[2], options);
      return;
    }
    System.err.println("usage: LuceneBench index DOCS INDEX_DIR | search INDEX_DIR QUERIES [options]");
    System.exit(2);
  }
}
