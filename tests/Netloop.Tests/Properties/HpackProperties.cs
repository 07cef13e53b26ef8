using System.Buffers;
using CsCheck;
using Netloop.Protocols.Http2.Hpack;
using Netloop.Tests.Protocols.Http2.Hpack;

namespace Netloop.Tests.Properties;

/// <summary>
/// CsCheck properties, each bounded to about two seconds: random header lists survive encode → decode through
/// long-lived encoder/decoder pairs whose tables stay in step; the dynamic table matches a plain list model; and no
/// mutation of a valid block, and no random bytes, make the decoder throw anything but
/// <see cref="HpackDecodingException"/>.
/// </summary>
public class HpackProperties
{
    private const int Seconds = PropertyBounds.Seconds;
    private const int Threads = PropertyBounds.Threads;

    private sealed record Field(byte[] Name, byte[] Value, HpackIndexing Indexing, bool? Huffman, bool AsString)
    {
        public override string ToString() =>
            $"{Convert.ToHexString(Name)}: {Convert.ToHexString(Value)} ({Indexing}, huffman {Huffman?.ToString() ?? "auto"}{(AsString ? ", string" : "")})";
    }

    private sealed record Block(int SizeUpdate, Field[] Fields) // SizeUpdate < 0: none before this block
    {
        public override string ToString() => $"[update {SizeUpdate}] " + string.Join("; ", Fields.Select(f => f.ToString()));
    }

    private static readonly byte[][] CommonNames =
        [.. new[] { ":status", ":path", ":method", "content-type", "date", "server", "set-cookie", "x-custom", "accept-encoding" }
            .Select(n => System.Text.Encoding.ASCII.GetBytes(n))];

    private static readonly byte[][] CommonValues =
        [.. new[] { "", "200", "/", "GET", "gzip, deflate", "text/plain", "Netloop", "Fri, 04 Dec 2026 21:00:00 GMT" }
            .Select(v => System.Text.Encoding.ASCII.GetBytes(v))];

    private static readonly Gen<byte[]> Names = Gen.Frequency(
        (3, Gen.OneOf(CommonNames)),
        (3, Gen.Char["abcdefghijklmnopqrstuvwxyz0123456789-:"].Array[1, 24].Select(c => System.Text.Encoding.ASCII.GetBytes(c))),
        (1, Gen.Byte.Array[0, 40]));

    private static readonly Gen<byte[]> Values = Gen.Frequency(
        (3, Gen.OneOf(CommonValues)),
        (3, Gen.Char[' ', '~'].Array[0, 60].Select(c => System.Text.Encoding.ASCII.GetBytes(c))),
        (2, Gen.Byte.Array[0, 120]),
        (1, Gen.Byte.Array[200, 1200])); // larger than the small table: empties it (§4.4)

    private static readonly Gen<Field> Fields = Gen.Select(Names, Values, Gen.Enum<HpackIndexing>(), Gen.OneOf<bool?>(null, true, false), Gen.Int[0, 9],
        (name, value, indexing, huffman, kind) => new Field(name, value, indexing, huffman, AsString: kind == 0));

    private static readonly Gen<Block> Blocks = Gen.Select(
        Gen.Frequency((6, Gen.Const(-1)), (1, Gen.Int[0, 5000]), (1, Gen.OneOf(0, 32, 64, 256, 4096))),
        Fields.Array[0, 12],
        (update, fields) => new Block(update, fields));

    private static readonly Gen<(int TableSize, Block[] Blocks)> Sequences =
        Gen.Select(Gen.OneOf(0, 64, 256, 4096), Blocks.Array[1, 30]);

    [Fact]
    public void Random_header_lists_round_trip_through_long_lived_pairs_kept_in_step()
    {
        Sequences.Sample(sample =>
        {
            // Two pairs over the same blocks: the default 4096 table, and a small one that evicts constantly.
            var pairs = new[]
            {
                (Encoder: new HpackEncoder(), Decoder: new HpackDecoder(4096, 1 << 20)),
                (Encoder: new HpackEncoder(sample.TableSize), Decoder: new HpackDecoder(sample.TableSize, 1 << 20)),
            };
            var output = new ArrayBufferWriter<byte>();
            foreach (var block in sample.Blocks)
            {
                foreach (var (encoder, decoder) in pairs)
                {
                    if (block.SizeUpdate >= 0) encoder.SetMaxTableSize(block.SizeUpdate);
                    output.ResetWrittenCount();
                    var expected = new List<(string, string)>();
                    foreach (var field in block.Fields)
                    {
                        if (field.AsString)
                        {
                            string name = System.Text.Encoding.Latin1.GetString(field.Name);
                            string value = System.Text.Encoding.Latin1.GetString(field.Value);
                            encoder.Encode(name, value, output, field.Indexing, field.Huffman);
                            expected.Add((Lower(name), value));
                        }
                        else
                        {
                            encoder.Encode(field.Name, field.Value, output, field.Indexing, field.Huffman);
                            expected.Add((System.Text.Encoding.Latin1.GetString(field.Name), System.Text.Encoding.Latin1.GetString(field.Value)));
                        }
                    }
                    var sink = new RecordingSink();
                    Assert.Equal(HpackDecodeResult.Ok, decoder.Decode(output.WrittenSpan, sink));
                    Assert.Equal(expected, sink.Fields);
                    Assert.Equal(encoder.DynamicTableCount, decoder.DynamicTableCount);
                    Assert.Equal(encoder.DynamicTableSize, decoder.DynamicTableSize);
                }
            }
        }, time: Seconds, threads: Threads);
    }

    private static string Lower(string name) => string.Create(name.Length, name, (span, source) =>
    {
        for (int i = 0; i < span.Length; i++) span[i] = source[i] is >= 'A' and <= 'Z' ? (char)(source[i] + 32) : source[i];
    });

    private static readonly Gen<(int Op, byte[] Name, byte[] Value, int Size)> TableOps = Gen.Select(
        Gen.Int[0, 9], Gen.Byte.Array[0, 70], Gen.Byte.Array[0, 200], Gen.Int[0, 400]);

    [Fact]
    public void The_dynamic_table_matches_a_list_model()
    {
        Gen.Select(Gen.OneOf(0, 32, 100, 400), TableOps.Array[1, 200]).Sample(sample =>
        {
            var table = new HpackDynamicTable(sample.Item1);
            var model = new List<(byte[] Name, byte[] Value)>(); // newest first
            int maxSize = sample.Item1;
            foreach (var (op, name, value, size) in sample.Item2)
            {
                if (op == 0)
                {
                    maxSize = Math.Min(size, sample.Item1);
                    table.SetMaxSize(maxSize);
                }
                else
                {
                    table.Add(name, value);
                    model.Insert(0, (name, value));
                }
                while (model.Sum(e => e.Name.Length + e.Value.Length + 32) > maxSize) model.RemoveAt(model.Count - 1);
                Assert.Equal(model.Count, table.Count);
                Assert.Equal(model.Sum(e => e.Name.Length + e.Value.Length + 32), table.Size);
                for (int i = 0; i < model.Count; i++)
                {
                    Assert.Equal(model[i].Name, table.Name(i).ToArray());
                    Assert.Equal(model[i].Value, table.Value(i).ToArray());
                }
            }
        }, time: Seconds, threads: Threads);
    }

    private static readonly Gen<(int Kind, int Position, byte Byte)> Mutations = Gen.Select(Gen.Int[0, 3], Gen.Int[0, int.MaxValue], Gen.Byte);

    [Fact]
    public void Mutated_blocks_never_throw_anything_but_a_decoding_error()
    {
        Gen.Select(Sequences, Mutations.Array[1, 8], Gen.OneOf(64, 1024, 1 << 20)).Sample(sample =>
        {
            var ((tableSize, blocks), mutations, listCap) = sample;
            var encoder = new HpackEncoder(tableSize);
            var encoded = new List<byte[]>();
            foreach (var block in blocks)
            {
                if (block.SizeUpdate >= 0) encoder.SetMaxTableSize(block.SizeUpdate);
                var output = new ArrayBufferWriter<byte>();
                foreach (var field in block.Fields) encoder.Encode(field.Name, field.Value, output, field.Indexing, field.Huffman);
                encoded.Add(output.WrittenSpan.ToArray());
            }

            // Mutate one block (flip, overwrite, cut, or insert bytes), then decode the whole sequence.
            int target = mutations[0].Position % encoded.Count;
            var bytes = encoded[target].ToList();
            foreach (var (kind, position, b) in mutations)
            {
                int at = bytes.Count == 0 ? 0 : position % bytes.Count;
                switch (kind)
                {
                    case 0 when bytes.Count > 0: bytes[at] ^= (byte)(1 << (b & 7)); break;
                    case 1 when bytes.Count > 0: bytes[at] = b; break;
                    case 2 when bytes.Count > 0: bytes.RemoveRange(at, bytes.Count - at); break;
                    default: bytes.Insert(at, b); break;
                }
            }
            encoded[target] = [.. bytes];

            var decoder = new HpackDecoder(tableSize, listCap);
            try
            {
                foreach (var block in encoded) decoder.Decode(block, new RecordingSink());
            }
            catch (HpackDecodingException)
            {
                // the expected outcome for most mutations; anything else fails the property
            }
            Assert.InRange(decoder.DynamicTableSize, 0, tableSize);
        }, time: Seconds, threads: Threads);
    }

    [Fact]
    public void Random_bytes_never_throw_anything_but_a_decoding_error()
    {
        Gen.Select(Gen.Byte.Array[0, 300].Array[1, 4], Gen.OneOf(0, 64, 4096), Gen.OneOf(64, 1024, 1 << 20)).Sample((blocks, tableSize, listCap) =>
        {
            var decoder = new HpackDecoder(tableSize, listCap);
            foreach (byte[] block in blocks)
            {
                var sink = new RecordingSink();
                try
                {
                    var result = decoder.Decode(block, sink);
                    Assert.True(Enum.IsDefined(result));
                }
                catch (HpackDecodingException)
                {
                    return; // a decoding error ends the connection: nothing more is decoded with this table
                }
                Assert.InRange(decoder.DynamicTableSize, 0, tableSize);
            }
        }, time: Seconds, threads: Threads);
    }
}
