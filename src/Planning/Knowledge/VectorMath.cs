using System.Numerics;
using System.Runtime.InteropServices;

namespace Planning.Knowledge;

/// <summary>Dot products and normalisation over float spans, vectorised with <see cref="Vector{T}"/>.</summary>
internal static class VectorMath
{
    /// <summary>The dot product of two spans of equal length.</summary>
    public static float Dot(ReadOnlySpan<float> first, ReadOnlySpan<float> second)
    {
        int i = 0;
        float sum = 0;
        if (Vector.IsHardwareAccelerated && first.Length >= Vector<float>.Count)
        {
            ReadOnlySpan<Vector<float>> a = MemoryMarshal.Cast<float, Vector<float>>(first);
            ReadOnlySpan<Vector<float>> b = MemoryMarshal.Cast<float, Vector<float>>(second);
            Vector<float> acc = Vector<float>.Zero;
            for (int v = 0; v < a.Length; v++)
            {
                acc += a[v] * b[v];
            }

            sum = Vector.Sum(acc);
            i = a.Length * Vector<float>.Count;
        }

        for (; i < first.Length; i++)
        {
            sum += first[i] * second[i];
        }

        return sum;
    }

    /// <summary>A copy of <paramref name="vector"/> scaled to unit length (a zero vector stays zero).</summary>
    public static float[] Normalized(ReadOnlySpan<float> vector)
    {
        double squares = 0;
        foreach (float component in vector)
        {
            squares += (double)component * component;
        }

        float[] result = vector.ToArray();
        if (squares > 0)
        {
            float scale = (float)(1 / Math.Sqrt(squares));
            for (int i = 0; i < result.Length; i++)
            {
                result[i] *= scale;
            }
        }

        return result;
    }
}
