// The Lucene side of bench/compare_indexing.sh: builds a Lucene 8 index from
// the same JSON Lines corpus fathom-index reads, doing the same work as
// Fathom's default build, and times it from the first byte read to a
// committed single segment.
//
//   java -Xms2g -Xmx2g -cp lucene-core.jar:lucene-analyzers-common.jar:. LuceneIndexBench
//        CORPUS.jsonl INDEX_DIR [--threads N] [--ram-buffer-mb MB] [--json FILE]
//        [--info-stream LOG]    (LOG: IndexWriter's own log of flushes and merges)
//
// What is indexed, per line {"id": ..., "title": ..., "body": ...}:
//   id     StringField, stored: one indexed term, for lookups by id (Fathom
//          keeps an id -> document table)
//   text   title and body (two values), positions and frequencies, not
//          stored: Fathom's word terms (every word of the document)
//   title  the title again, positions and frequencies, stored: Fathom's
//          "title:" field terms and its stored title
//   body   stored only (Fathom stores id, title and body, zstd-compressed;
//          Lucene's default stored fields codec is LZ4, BEST_SPEED)
// Analysis: StandardTokenizer (Unicode UAX#29 words), EnglishPossessiveFilter,
// LowerCaseFilter, SnowballFilter(EnglishStemmer); no stop words: Fathom's
// default English analysis. The title is analyzed twice (for text and title).
//
// Threads: this (main) thread only reads the file in blocks of whole lines;
// N indexing threads decode UTF-8, parse the JSON and call addDocument on one
// shared IndexWriter (one in-memory segment per thread, Lucene's way of
// indexing in parallel). RAM buffer: --ram-buffer-mb, flushed by Lucene when
// all threads' buffers together reach it. Default merge policy and scheduler
// (TieredMergePolicy, ConcurrentMergeScheduler); no compound files (bulk
// indexing); then forceMerge(1) and commit. The JVM heap must be larger than
// the RAM buffer (compare_indexing.sh gives it twice the buffer).
//
// Prints one line of figures to stdout and, with --json, writes them to FILE.
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.en.EnglishPossessiveFilter;
import org.apache.lucene.analysis.snowball.SnowballFilter;
import org.apache.lucene.analysis.standard.StandardTokenizer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexOptions;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.Terms;
import org.apache.lucene.index.TieredMergePolicy;
import org.apache.lucene.search.similarities.BM25Similarity;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.tartarus.snowball.ext.EnglishStemmer;

public final class LuceneIndexBench {
  static final int BLOCK_BYTES = 4 << 20;  // the reader hands out ~4 MB of whole lines
  static final int MAX_JSON_DEPTH = 512;   // as fathom-index

  // Fathom's default English analysis in Lucene's components.
  static final class EnglishLikeAnalyzer extends Analyzer {
    @Override
    protected TokenStreamComponents createComponents(String fieldName) {
      Tokenizer source = new StandardTokenizer();
      TokenStream stream = new EnglishPossessiveFilter(source);
      stream = new LowerCaseFilter(stream);
      stream = new SnowballFilter(stream, new EnglishStemmer());
      return new TokenStreamComponents(source, stream);
    }

    @Override
    public int getPositionIncrementGap(String fieldName) {
      return 100;  // title and body values of "text" apart, as LuceneBench does
    }
  }

  // A block of whole lines: data[0, length), the first one is line firstLine.
  static final class Block {
    final byte[] data;
    final int length;
    final long firstLine;

    Block(byte[] data, int length, long firstLine) {
      this.data = data;
      this.length = length;
      this.firstLine = firstLine;
    }
  }

  static final Block END = new Block(new byte[0], 0, 0);

  static final class BadLine extends Exception {
    private static final long serialVersionUID = 1L;

    BadLine(String message) {
      super(message);
    }
  }

  // A strict reader of one JSON object per line: keeps the "id", "title" and
  // "body" members (strings; an id may also be a number), skips any other
  // member of any type, and rejects anything that is not JSON.
  static final class JsonLine {
    String id;
    String title;
    String body;
    private String s;
    private int at;
    private final StringBuilder scratch = new StringBuilder();

    void parse(String line) throws BadLine {
      s = line;
      at = 0;
      id = null;
      title = null;
      body = null;
      space();
      expect('{');
      space();
      if (peek() == '}') {
        at++;
      } else {
        while (true) {
          space();
          String key = string();
          space();
          expect(':');
          space();
          if (key.equals("id") && peek() != '"') {
            int begin = at;
            number();
            id = s.substring(begin, at);
          } else if (key.equals("id") || key.equals("title") || key.equals("body")) {
            String value = string();
            if (key.equals("id")) {
              id = value;
            } else if (key.equals("title")) {
              title = value;
            } else {
              body = value;
            }
          } else {
            value(1);
          }
          space();
          char c = next();
          if (c == '}') break;
          if (c != ',') fail(at - 1, "expected ',' or '}'");
        }
      }
      space();
      if (at < s.length()) fail(at, "unexpected text after the object");
      if (id == null) fail(0, "no \"id\" member");
    }

    private void fail(int column, String message) throws BadLine {
      throw new BadLine("column " + (column + 1) + ": " + message);
    }

    private char peek() throws BadLine {
      if (at >= s.length()) fail(at, "unexpected end of line");
      return s.charAt(at);
    }

    private char next() throws BadLine {
      char c = peek();
      at++;
      return c;
    }

    private void expect(char c) throws BadLine {
      if (peek() != c) fail(at, "expected '" + c + "'");
      at++;
    }

    private void space() {
      while (at < s.length()) {
        char c = s.charAt(at);
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n') break;
        at++;
      }
    }

    // A string; its unescaped value.
    private String string() throws BadLine {
      expect('"');
      int begin = at;
      // Fast path: no escapes (most strings).
      while (at < s.length()) {
        char c = s.charAt(at);
        if (c == '"') return s.substring(begin, at++);
        if (c == '\\') break;
        if (c < 0x20) fail(at, "control character in a string");
        at++;
      }
      StringBuilder out = scratch;
      out.setLength(0);
      out.append(s, begin, at);
      while (true) {
        char c = next();
        if (c == '"') return out.toString();
        if (c < 0x20) fail(at - 1, "control character in a string");
        if (c != '\\') {
          out.append(c);
          continue;
        }
        char e = next();
        switch (e) {
          case '"': out.append('"'); break;
          case '\\': out.append('\\'); break;
          case '/': out.append('/'); break;
          case 'b': out.append('\b'); break;
          case 'f': out.append('\f'); break;
          case 'n': out.append('\n'); break;
          case 'r': out.append('\r'); break;
          case 't': out.append('\t'); break;
          case 'u': {
            // One UTF-16 unit; a surrogate pair is two escapes and ends up as
            // the pair in the string. Lucene encodes a lone surrogate as U+FFFD,
            // as Fathom does.
            int unit = 0;
            for (int i = 0; i < 4; i++) {
              int digit = Character.digit(next(), 16);
              if (digit < 0) fail(at - 1, "bad \\u escape");
              unit = unit * 16 + digit;
            }
            out.append((char) unit);
            break;
          }
          default: fail(at - 1, "bad escape '\\" + e + "'");
        }
      }
    }

    private void number() throws BadLine {
      int begin = at;
      if (at < s.length() && s.charAt(at) == '-') at++;
      int digits = at;
      while (at < s.length() && s.charAt(at) >= '0' && s.charAt(at) <= '9') at++;
      if (at == digits) fail(begin, "expected a value");
      if (at - digits > 1 && s.charAt(digits) == '0') fail(digits, "leading zero in a number");
      if (at < s.length() && s.charAt(at) == '.') {
        int fraction = ++at;
        while (at < s.length() && s.charAt(at) >= '0' && s.charAt(at) <= '9') at++;
        if (at == fraction) fail(at, "expected a digit");
      }
      if (at < s.length() && (s.charAt(at) == 'e' || s.charAt(at) == 'E')) {
        at++;
        if (at < s.length() && (s.charAt(at) == '+' || s.charAt(at) == '-')) at++;
        int exponent = at;
        while (at < s.length() && s.charAt(at) >= '0' && s.charAt(at) <= '9') at++;
        if (at == exponent) fail(at, "expected a digit");
      }
    }

    private void literal(String word) throws BadLine {
      if (!s.startsWith(word, at)) fail(at, "expected a value");
      at += word.length();
    }

    // Skips any value.
    private void value(int depth) throws BadLine {
      if (depth > MAX_JSON_DEPTH) fail(at, "nested deeper than " + MAX_JSON_DEPTH + " levels");
      char c = peek();
      if (c == '"') {
        string();
      } else if (c == '{' || c == '[') {
        char close = c == '{' ? '}' : ']';
        at++;
        space();
        if (peek() == close) {
          at++;
          return;
        }
        while (true) {
          space();
          if (close == '}') {
            string();
            space();
            expect(':');
            space();
          }
          value(depth + 1);
          space();
          char d = next();
          if (d == close) return;
          if (d != ',') fail(at - 1, "expected ',' or '" + close + "'");
        }
      } else if (c == 't') {
        literal("true");
      } else if (c == 'f') {
        literal("false");
      } else if (c == 'n') {
        literal("null");
      } else {
        number();
      }
    }
  }

  static final class Indexer implements Runnable {
    final BlockingQueue<Block> queue;
    final IndexWriter writer;
    final String corpus;
    final AtomicLong documents;
    final AtomicLong textChars;
    final AtomicReference<Throwable> failure;

    Indexer(BlockingQueue<Block> queue, IndexWriter writer, String corpus, AtomicLong documents,
        AtomicLong textChars, AtomicReference<Throwable> failure) {
      this.queue = queue;
      this.writer = writer;
      this.corpus = corpus;
      this.documents = documents;
      this.textChars = textChars;
      this.failure = failure;
    }

    @Override
    public void run() {
      FieldType textType = new FieldType();
      textType.setIndexOptions(IndexOptions.DOCS_AND_FREQS_AND_POSITIONS);
      textType.setTokenized(true);
      textType.freeze();
      FieldType titleType = new FieldType(textType);
      titleType.setStored(true);
      titleType.freeze();
      JsonLine json = new JsonLine();
      long count = 0;
      long chars = 0;
      try {
        while (true) {
          Block block = queue.take();
          if (block == END || failure.get() != null) break;
          long lineNumber = block.firstLine;
          for (int begin = 0; begin < block.length; lineNumber++) {
            int end = begin;
            while (end < block.length && block.data[end] != '\n') end++;
            int stop = end > begin && block.data[end - 1] == '\r' ? end - 1 : end;
            String line = new String(block.data, begin, stop - begin, StandardCharsets.UTF_8);
            begin = end + 1;
            if (line.isBlank()) continue;
            try {
              json.parse(line);
            } catch (BadLine e) {
              throw new IllegalArgumentException(
                  corpus + ":" + lineNumber + ": " + e.getMessage());
            }
            Document doc = new Document();
            doc.add(new StringField("id", json.id, Field.Store.YES));
            if (json.title != null) {
              doc.add(new Field("text", json.title, textType));
              doc.add(new Field("title", json.title, titleType));
              chars += json.title.length();
            }
            if (json.body != null) {
              doc.add(new Field("text", json.body, textType));
              doc.add(new StoredField("body", json.body));
              chars += json.body.length();
            }
            writer.addDocument(doc);
            count++;
          }
        }
      } catch (Throwable e) {
        failure.compareAndSet(null, e);
      } finally {
        documents.addAndGet(count);
        textChars.addAndGet(chars);
      }
    }
  }

  static long vmHwmKb() {
    try {
      for (String line : Files.readAllLines(Paths.get("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    } catch (IOException | NumberFormatException e) {
      // not Linux: no figure
    }
    return -1;
  }

  static void usage(String message) {
    System.err.println("LuceneIndexBench: " + message);
    System.err.println("usage: LuceneIndexBench CORPUS.jsonl INDEX_DIR [--threads N] "
        + "[--ram-buffer-mb MB] [--json FILE] [--info-stream LOG]");
    System.exit(2);
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 2) usage("expected CORPUS and INDEX_DIR");
    Map<String, String> options = new HashMap<>();
    for (int i = 2; i < args.length; i += 2) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) usage("bad option " + args[i]);
      options.put(args[i].substring(2), args[i + 1]);
    }
    for (String name : options.keySet()) {
      if (!List.of("threads", "ram-buffer-mb", "json", "info-stream").contains(name)) {
        usage("unknown option --" + name);
      }
    }
    String corpus = args[0];
    Path indexDir = Paths.get(args[1]);
    int threads = Integer.parseInt(options.getOrDefault("threads",
        Integer.toString(Runtime.getRuntime().availableProcessors())));
    double ramBufferMb = Double.parseDouble(options.getOrDefault("ram-buffer-mb", "1024"));
    if (threads < 1) usage("--threads must be at least 1");
    if (!(ramBufferMb > 0)) usage("--ram-buffer-mb must be positive");
    long maxHeapMb = Runtime.getRuntime().maxMemory() >> 20;
    if (maxHeapMb <= ramBufferMb) {
      usage("the JVM heap (" + maxHeapMb + " MB, -Xmx) must be larger than the RAM buffer ("
          + (long) ramBufferMb + " MB)");
    }

    long start = System.nanoTime();
    TieredMergePolicy mergePolicy = new TieredMergePolicy();
    mergePolicy.setNoCFSRatio(0.0);
    IndexWriterConfig config = new IndexWriterConfig(new EnglishLikeAnalyzer())
                                   .setOpenMode(IndexWriterConfig.OpenMode.CREATE)
                                   .setRAMBufferSizeMB(ramBufferMb)
                                   .setUseCompoundFile(false)
                                   .setMergePolicy(mergePolicy)
                                   .setSimilarity(new BM25Similarity(0.9f, 0.4f));
    PrintStream infoStream = null;
    if (options.containsKey("info-stream")) {
      infoStream = new PrintStream(options.get("info-stream"), "UTF-8");
      config.setInfoStream(infoStream);
    }
    AtomicLong documents = new AtomicLong();
    AtomicLong textChars = new AtomicLong();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    long bytesRead = 0;
    double addSeconds;
    double mergeSeconds;
    double commitSeconds;
    try (Directory directory = FSDirectory.open(indexDir);
        IndexWriter writer = new IndexWriter(directory, config)) {
      BlockingQueue<Block> queue = new ArrayBlockingQueue<>(2 * threads);
      List<Thread> pool = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        Thread thread = new Thread(
            new Indexer(queue, writer, corpus, documents, textChars, failure), "indexer-" + t);
        thread.start();
        pool.add(thread);
      }
      // Read blocks of whole lines; a line longer than a block grows it.
      try (InputStream in = Files.newInputStream(Paths.get(corpus))) {
        byte[] carry = new byte[0];
        int carried = 0;
        long line = 1;
        while (failure.get() == null) {
          byte[] data = new byte[Math.max(BLOCK_BYTES, 2 * carried)];
          System.arraycopy(carry, 0, data, 0, carried);
          int filled = carried;
          for (int n; filled < data.length && (n = in.read(data, filled, data.length - filled)) > 0; ) {
            filled += n;
          }
          bytesRead += filled - carried;
          boolean atEnd = filled < data.length;
          int cut = filled;
          if (!atEnd) {
            cut = filled - 1;
            while (cut >= 0 && data[cut] != '\n') cut--;
            cut++;  // just after the last newline; 0 when there is none
          }
          if (cut == 0 && !atEnd) {  // one line longer than the block: read more
            carry = data;
            carried = filled;
            continue;
          }
          long lines = 0;
          for (int i = 0; i < cut; i++) {
            if (data[i] == '\n') lines++;
          }
          while (!queue.offer(new Block(data, cut, line), 100, TimeUnit.MILLISECONDS)) {
            if (failure.get() != null) break;
          }
          line += lines;
          carried = filled - cut;
          carry = new byte[carried];
          System.arraycopy(data, cut, carry, 0, carried);
          if (atEnd) break;
        }
      } catch (IOException e) {
        failure.compareAndSet(null, e);
      }
      // After a failure the workers stop taking blocks: make room for the ENDs.
      if (failure.get() != null) queue.clear();
      for (int t = 0; t < threads; t++) queue.put(END);
      for (Thread thread : pool) thread.join();
      if (failure.get() != null) {
        writer.rollback();
        Throwable e = failure.get();
        System.err.println("LuceneIndexBench: " + (e instanceof IllegalArgumentException
            ? e.getMessage() : e.toString()));
        System.exit(1);
      }
      addSeconds = (System.nanoTime() - start) / 1e9;
      writer.forceMerge(1);
      mergeSeconds = (System.nanoTime() - start) / 1e9 - addSeconds;
      writer.commit();
      commitSeconds = (System.nanoTime() - start) / 1e9 - addSeconds - mergeSeconds;
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    if (infoStream != null) infoStream.close();
    long peakRssKb = vmHwmKb();
    long gcMillis = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      gcMillis += Math.max(0, gc.getCollectionTime());
    }

    // Figures of the finished index (not timed).
    long indexBytes = 0;
    try (var files = Files.list(indexDir)) {
      for (Path file : (Iterable<Path>) files::iterator) indexBytes += Files.size(file);
    }
    int segments;
    long maxDoc;
    long tokens;
    long textTerms;
    long titleTerms;
    try (DirectoryReader reader = DirectoryReader.open(FSDirectory.open(indexDir))) {
      segments = reader.leaves().size();
      maxDoc = reader.maxDoc();
      LeafReader leaf = reader.leaves().get(0).reader();
      Terms text = leaf.terms("text");
      Terms title = leaf.terms("title");
      tokens = text == null ? 0 : text.getSumTotalTermFreq();
      textTerms = text == null ? 0 : text.size();
      titleTerms = title == null ? 0 : title.size();
    }
    if (segments != 1) throw new IllegalStateException("expected one segment, found " + segments);
    if (maxDoc != documents.get()) {
      throw new IllegalStateException(maxDoc + " documents in the index, " + documents + " read");
    }

    System.out.printf(Locale.ROOT,
        "lucene %s: %d documents (%d bytes read, %d characters of title and body) with %d threads, "
            + "RAM buffer %.0f MB, heap %d MB: %.2f s (adding %.2f, forceMerge(1) %.2f, commit "
            + "%.2f; GC %.2f s), %d index bytes, %d text terms, %d title terms, %d tokens, peak RSS "
            + "%d KB%n",
        org.apache.lucene.util.Version.LATEST, maxDoc, bytesRead, textChars.get(), threads,
        ramBufferMb, maxHeapMb, seconds, addSeconds, mergeSeconds, commitSeconds, gcMillis / 1e3,
        indexBytes, textTerms, titleTerms, tokens, peakRssKb);
    if (options.containsKey("json")) {
      try (PrintStream out = new PrintStream(options.get("json"), "UTF-8")) {
        out.printf(Locale.ROOT,
            "{\"engine\": \"lucene\", \"version\": \"%s\", \"java\": \"%s\", \"documents\": %d, "
                + "\"bytes_read\": %d, \"text_chars\": %d, \"threads\": %d, \"ram_buffer_mb\": %.0f, "
                + "\"heap_mb\": %d, \"seconds\": %.3f, \"add_seconds\": %.3f, "
                + "\"force_merge_seconds\": %.3f, \"commit_seconds\": %.3f, \"gc_seconds\": %.3f, "
                + "\"index_bytes\": %d, \"text_terms\": %d, \"title_terms\": %d, \"tokens\": %d, "
                + "\"peak_rss_kb\": %d}%n",
            org.apache.lucene.util.Version.LATEST, System.getProperty("java.version"), maxDoc,
            bytesRead, textChars.get(), threads, ramBufferMb, maxHeapMb, seconds, addSeconds,
            mergeSeconds, commitSeconds, gcMillis / 1e3, indexBytes, textTerms, titleTerms, tokens,
            peakRssKb);
      }
    }
  }
}
