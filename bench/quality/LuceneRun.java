// The Lucene baseline of bench/quality/run.sh: indexes a Fathom JSON Lines
// corpus ({"id","title","body"}) with Apache Lucene 8.8 (Debian's
// liblucene8-java) and writes a TREC run for a qid<TAB>query file.
//
// Set up as Anserini sets up its BEIR baselines: title and body indexed as one
// field; bag-of-words queries where a repeated word becomes one clause boosted
// by its count; BM25Similarity(k1, b). Analysis is EnglishAnalyzer's chain
// without its stop filter unless asked: StandardTokenizer,
// EnglishPossessiveFilter, LowerCaseFilter, [StopFilter with Lucene's 33
// English stop words], SnowballFilter with Snowball's English (Porter2)
// program as Lucene 8.8 ships it (generated from an older Snowball release
// than the 3.0 vocabulary in ../shared/corpora/snowball-english).
//
// Usage: java -cp LUCENE_JARS:. LuceneRun CORPUS.jsonl QUERIES.tsv RUN
//            [--k1 0.9] [--b 0.4] [--stop-words] [--no-stemming] [--tag lucene]
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.StopFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.en.EnglishPossessiveFilter;
import org.apache.lucene.analysis.snowball.SnowballFilter;
import org.apache.lucene.analysis.standard.StandardTokenizer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.BoostQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.similarities.BM25Similarity;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.tartarus.snowball.ext.EnglishStemmer;

public class LuceneRun {
  private static final String FIELD = "contents";
  private static final String ID = "id";

  static final class EnglishLikeAnalyzer extends Analyzer {
    private final boolean stopWords;
    private final boolean stemming;

    EnglishLikeAnalyzer(boolean stopWords, boolean stemming) {
      this.stopWords = stopWords;
      this.stemming = stemming;
    }

    @Override
    protected TokenStreamComponents createComponents(String fieldName) {
      Tokenizer source = new StandardTokenizer();
      TokenStream stream = new EnglishPossessiveFilter(source);
      stream = new LowerCaseFilter(stream);
      if (stopWords) stream = new StopFilter(stream, EnglishAnalyzer.ENGLISH_STOP_WORDS_SET);
      if (stemming) stream = new SnowballFilter(stream, new EnglishStemmer());
      return new TokenStreamComponents(source, stream);
    }
  }

  // The string fields of one flat JSON object (enough for the corpora:
  // {"id": "...", "title": "...", "body": "...", ...}); other values skipped.
  static Map<String, String> parseObject(String line) {
    Map<String, String> fields = new HashMap<>();
    int[] pos = {0};
    skipSpace(line, pos);
    expect(line, pos, '{');
    while (true) {
      skipSpace(line, pos);
      if (line.charAt(pos[0]) == '}') break;
      String key = parseString(line, pos);
      skipSpace(line, pos);
      expect(line, pos, ':');
      skipSpace(line, pos);
      if (line.charAt(pos[0]) == '"') {
        fields.put(key, parseString(line, pos));
      } else {  // number, true, false, null
        while (pos[0] < line.length() && ",}".indexOf(line.charAt(pos[0])) < 0) pos[0]++;
      }
      skipSpace(line, pos);
      if (line.charAt(pos[0]) == ',') pos[0]++;
    }
    return fields;
  }

  static void skipSpace(String s, int[] pos) {
    while (pos[0] < s.length() && Character.isWhitespace(s.charAt(pos[0]))) pos[0]++;
  }

  static void expect(String s, int[] pos, char c) {
    if (pos[0] >= s.length() || s.charAt(pos[0]) != c) {
      throw new IllegalArgumentException("expected '" + c + "' at column " + pos[0]);
    }
    pos[0]++;
  }

  static String parseString(String s, int[] pos) {
    expect(s, pos, '"');
    StringBuilder out = new StringBuilder();
    while (true) {
      char c = s.charAt(pos[0]++);
      if (c == '"') return out.toString();
      if (c != '\\') {
        out.append(c);
        continue;
      }
      char e = s.charAt(pos[0]++);
      switch (e) {
        case 'n': out.append('\n'); break;
        case 't': out.append('\t'); break;
        case 'r': out.append('\r'); break;
        case 'b': out.append('\b'); break;
        case 'f': out.append('\f'); break;
        case 'u':
          out.append((char) Integer.parseInt(s.substring(pos[0], pos[0] + 4), 16));
          pos[0] += 4;
          break;
        default: out.append(e);  // \" \\ \/
      }
    }
  }

  // Anserini's bag of words: each distinct analyzed term once, boosted by its count.
  static Query bagOfWords(Analyzer analyzer, String text) throws IOException {
    Map<String, Integer> counts = new LinkedHashMap<>();
    try (TokenStream stream = analyzer.tokenStream(FIELD, text)) {
      CharTermAttribute term = stream.addAttribute(CharTermAttribute.class);
      stream.reset();
      while (stream.incrementToken()) counts.merge(term.toString(), 1, Integer::sum);
      stream.end();
    }
    BooleanQuery.Builder builder = new BooleanQuery.Builder();
    for (Map.Entry<String, Integer> entry : counts.entrySet()) {
      Query q = new TermQuery(new Term(FIELD, entry.getKey()));
      if (entry.getValue() > 1) q = new BoostQuery(q, entry.getValue());
      builder.add(q, BooleanClause.Occur.SHOULD);
    }
    return builder.build();
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 3) {
      System.err.println("usage: LuceneRun CORPUS.jsonl QUERIES.tsv RUN [--k1 X] [--b X]"
          + " [--stop-words] [--no-stemming] [--tag T]");
      System.exit(2);
    }
    float k1 = 0.9f;
    float b = 0.4f;
    boolean stopWords = false;
    boolean stemming = true;
    String tag = "lucene";
    for (int i = 3; i < args.length; i++) {
      switch (args[i]) {
        case "--k1": k1 = Float.parseFloat(args[++i]); break;
        case "--b": b = Float.parseFloat(args[++i]); break;
        case "--stop-words": stopWords = true; break;
        case "--no-stemming": stemming = false; break;
        case "--tag": tag = args[++i]; break;
        default: throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    BooleanQuery.setMaxClauseCount(1 << 16);
    Analyzer analyzer = new EnglishLikeAnalyzer(stopWords, stemming);
    BM25Similarity similarity = new BM25Similarity(k1, b);
    ByteBuffersDirectory directory = new ByteBuffersDirectory();
    IndexWriterConfig config = new IndexWriterConfig(analyzer).setSimilarity(similarity);
    try (IndexWriter writer = new IndexWriter(directory, config);
         BufferedReader in = Files.newBufferedReader(Paths.get(args[0]), StandardCharsets.UTF_8)) {
      String line;
      while ((line = in.readLine()) != null) {
        if (line.isBlank()) continue;
        Map<String, String> fields = parseObject(line);
        String title = fields.getOrDefault("title", "");
        String body = fields.getOrDefault("body", "");
        Document doc = new Document();
        doc.add(new StringField(ID, fields.get("id"), Field.Store.YES));
        doc.add(new TextField(FIELD, title + "\n" + body, Field.Store.NO));
        writer.addDocument(doc);
      }
      writer.forceMerge(1);
    }
    try (DirectoryReader reader = DirectoryReader.open(directory);
         BufferedReader queries =
             Files.newBufferedReader(Paths.get(args[1]), StandardCharsets.UTF_8);
         PrintWriter out = new PrintWriter(
             Files.newBufferedWriter(Paths.get(args[2]), StandardCharsets.UTF_8))) {
      IndexSearcher searcher = new IndexSearcher(reader);
      searcher.setSimilarity(similarity);
      String line;
      while ((line = queries.readLine()) != null) {
        if (line.isEmpty() || line.startsWith("#")) continue;
        int tab = line.indexOf('\t');
        String qid = line.substring(0, tab);
        TopDocs top = searcher.search(bagOfWords(analyzer, line.substring(tab + 1)), 1000);
        int rank = 0;
        for (ScoreDoc hit : top.scoreDocs) {
          String id = searcher.doc(hit.doc).get(ID);
          out.printf(Locale.ROOT, "%s Q0 %s %d %.6f %s%n", qid, id, ++rank, hit.score, tag);
        }
      }
    }
  }
}
