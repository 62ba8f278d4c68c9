namespace Planning.Provers.Translation;

/// <summary>
/// Raised by <see cref="LeanToSmt.Translate(Formal.FormalStatement)"/> when a statement uses a construct that has no
/// faithful SMT translation; the message reads <c>unsupported: &lt;construct&gt;</c>.
/// </summary>
internal sealed class TranslationException : Exception
{
    /// <summary>Creates an exception for an untranslatable construct.</summary>
    /// <param name="construct">A short name of the construct (for example <c>non-literal exponent</c>).</param>
    public TranslationException(string construct)
        : this(construct, null)
    {
    }

    /// <summary>Creates an exception for an untranslatable construct with the error that revealed it.</summary>
    /// <param name="construct">A short name of the construct.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public TranslationException(string construct, Exception? innerException)
        : base("unsupported: " + construct, innerException)
    {
        Construct = construct;
    }

    /// <summary>Creates an exception with a default construct name.</summary>
    public TranslationException()
        : this("unknown construct")
    {
    }

    /// <summary>The name of the construct that could not be translated.</summary>
    public string Construct { get; }
}
