namespace Planning.Execution.Adapters.Moe;

/// <summary>
/// CPython's <c>random.Random</c> for the calls SGLang's static dispatch makes (<c>Random(seed)</c> with a small
/// non-negative integer seed, <c>sample</c>, <c>shuffle</c>), so that the dispatch map computed here is the one SGLang
/// computes: MT19937 seeded with <c>init_by_array</c> on the seed's 32-bit words, <c>getrandbits(k)</c> as the top
/// <c>k</c> bits of one 32-bit draw, and <c>_randbelow(n)</c> by rejection on <c>getrandbits(n.bit_length())</c>
/// (CPython's <c>Lib/random.py</c> and <c>Modules/_randommodule.c</c>, 3.x).
/// </summary>
internal sealed class PythonRandom
{
    private const int N = 624;
    private const int M = 397;
    private readonly uint[] _state = new uint[N];
    private int _index;

    /// <summary>Seeds the generator as <c>random.Random(seed)</c> does for a non-negative integer below 2^32.</summary>
    /// <param name="seed">The seed.</param>
    public PythonRandom(uint seed)
    {
        InitByArray([seed]);
    }

    private void InitGenrand(uint s)
    {
        _state[0] = s;
        for (var i = 1; i < N; i++)
        {
            _state[i] = (1812433253u * (_state[i - 1] ^ (_state[i - 1] >> 30))) + (uint)i;
        }

        _index = N;
    }

    private void InitByArray(uint[] key)
    {
        InitGenrand(19650218u);
        int i = 1, j = 0;
        for (var k = Math.Max(N, key.Length); k > 0; k--)
        {
            _state[i] = (_state[i] ^ ((_state[i - 1] ^ (_state[i - 1] >> 30)) * 1664525u)) + key[j] + (uint)j;
            i++;
            j++;
            if (i >= N)
            {
                _state[0] = _state[N - 1];
                i = 1;
            }

            if (j >= key.Length)
            {
                j = 0;
            }
        }

        for (var k = N - 1; k > 0; k--)
        {
            _state[i] = (_state[i] ^ ((_state[i - 1] ^ (_state[i - 1] >> 30)) * 1566083941u)) - (uint)i;
            i++;
            if (i >= N)
            {
                _state[0] = _state[N - 1];
                i = 1;
            }
        }

        _state[0] = 0x80000000u;
    }

    /// <summary>One 32-bit draw (<c>genrand_uint32</c>).</summary>
    /// <returns>The draw.</returns>
    public uint NextUInt32()
    {
        if (_index >= N)
        {
            for (var kk = 0; kk < N; kk++)
            {
                var y = (_state[kk] & 0x80000000u) | (_state[(kk + 1) % N] & 0x7fffffffu);
                _state[kk] = _state[(kk + M) % N] ^ (y >> 1) ^ ((y & 1u) != 0 ? 0x9908b0dfu : 0u);
            }

            _index = 0;
        }

        var x = _state[_index++];
        x ^= x >> 11;
        x ^= (x << 7) & 0x9d2c5680u;
        x ^= (x << 15) & 0xefc60000u;
        x ^= x >> 18;
        return x;
    }

    /// <summary><c>_randbelow(n)</c>: a uniform integer in [0, n), for 1 &lt;= n &lt; 2^31.</summary>
    /// <param name="n">The bound.</param>
    /// <returns>The draw.</returns>
    public int Below(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        var bits = 32 - System.Numerics.BitOperations.LeadingZeroCount((uint)n);
        var r = NextUInt32() >> (32 - bits);
        while (r >= (uint)n)
        {
            r = NextUInt32() >> (32 - bits);
        }

        return (int)r;
    }

    /// <summary><c>shuffle(x)</c>: Fisher-Yates from the end, as CPython does it.</summary>
    /// <param name="items">The list, shuffled in place.</param>
    public void Shuffle(IList<int> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        for (var i = items.Count - 1; i > 0; i--)
        {
            var j = Below(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary><c>sample(population, k)</c>: k distinct picks in selection order, with CPython's pool or set branch.</summary>
    /// <param name="population">The population.</param>
    /// <param name="k">How many, 0 &lt;= k &lt;= the population's size.</param>
    /// <returns>The picks.</returns>
    public List<int> Sample(IReadOnlyList<int> population, int k)
    {
        ArgumentNullException.ThrowIfNull(population);
        var n = population.Count;
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(k, n);
        var result = new List<int>(k);
        var setSize = 21;
        if (k > 5)
        {
            // 4 ** ceil(log(3k, 4)), as a float log in CPython.
            setSize += (int)Math.Pow(4, Math.Ceiling(Math.Log(k * 3) / Math.Log(4)));
        }

        if (n <= setSize)
        {
            var pool = population.ToList();
            for (var i = 0; i < k; i++)
            {
                var j = Below(n - i);
                result.Add(pool[j]);
                pool[j] = pool[n - i - 1];
            }
        }
        else
        {
            var selected = new HashSet<int>();
            for (var i = 0; i < k; i++)
            {
                var j = Below(n);
                while (!selected.Add(j))
                {
                    j = Below(n);
                }

                result.Add(population[j]);
            }
        }

        return result;
    }
}
