using System.Collections.Immutable;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Planning.Provers.Smt;

/// <summary>
/// Z3 as a separate process (<c>z3 -in</c>, SMT-LIB 2 over pipes): one long-lived process per instance, a scope pushed
/// and popped around each check (and <c>(reset)</c> every thousand checks, which keeps z3's memory flat), and a hard
/// wall-clock limit: when a check runs past its limit the process is killed
/// (and restarted for the next check) and the check returns <see cref="Unknown"/> with reason
/// <see cref="Unknown.TimeoutReason"/>.
/// </summary>
/// <remarks>
/// Variables are sent under generated names (v0, v1, ... free; b0, b1, ... bound), so any name is allowed. One instance
/// serves one caller at a time; use one per worker thread.
/// </remarks>
public sealed class Z3ProcessBackend : ISmtBackend
{
    private const int RunRunning = 0;
    private const int RunFinished = 1;
    private const int RunKilled = 2;

    private const string BaseOptions = "(set-option :print-success false)\n(set-option :produce-models true)\n";

    private readonly Lock _gate = new();
    private readonly Z3ProcessOptions _options;

    // Sent at start and after each (reset), which drops the options.
    private readonly string _startOptions;
    private readonly Queue<string> _stderr = new();
    private Process? _process;
    private long _softTimeoutMilliseconds = -1;
    private int _checksSinceReset;
    private bool _disposed;

    /// <summary>Starts the Z3 process.</summary>
    /// <param name="options">Settings; defaults when null.</param>
    /// <exception cref="InvalidOperationException">The executable could not be started.</exception>
    public Z3ProcessBackend(Z3ProcessOptions? options = null)
    {
        _options = options ?? new Z3ProcessOptions();
        ArgumentException.ThrowIfNullOrEmpty(_options.ExecutablePath, nameof(options));
        ArgumentNullException.ThrowIfNull(_options.TimeProvider, nameof(options));
        _startOptions = _options.UseNlsat ? BaseOptions : BaseOptions + "(set-option :" + Z3InProcessBackend.NlsatParameter + " false)\n";
        lock (_gate)
        {
            Start();
        }
    }

    /// <inheritdoc />
    public string Name => "z3-process";

    /// <summary>How many times the process was started (the first start included); a kill at the limit costs a restart.</summary>
    internal int Starts { get; private set; }

    /// <inheritdoc />
    SmtResult ISmtBackend.Check(IReadOnlyList<Term> assertions, TimeSpan limit) => Check(assertions, limit);

    /// <inheritdoc cref="ISmtBackend.Check" />
    internal SmtResult Check(IReadOnlyList<Term> assertions, TimeSpan limit)
    {
        var free = Z3InProcessBackend.Validate(assertions, limit);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_process is null || HasExited(_process))
            {
                DiscardProcess();
                try
                {
                    Start();
                }
                catch (InvalidOperationException e)
                {
                    return new Unknown(e.Message);
                }
            }

            var process = _process!;
            var state = RunRunning;
            using var timer = _options.TimeProvider.CreateTimer(
                _ =>
                {
                    if (Interlocked.CompareExchange(ref state, RunKilled, RunRunning) == RunRunning)
                    {
                        Kill(process);
                    }
                },
                null,
                limit,
                Timeout.InfiniteTimeSpan);
            SmtResult result;
            var failed = false;
            var started = _options.TimeProvider.GetTimestamp();
            try
            {
                result = Run(process, assertions, free, limit, out failed);
            }
            catch (IOException e)
            {
                result = new Unknown("z3 process failed: " + e.Message + StderrTail());
                failed = true;
            }

            if (Interlocked.CompareExchange(ref state, RunFinished, RunRunning) != RunRunning)
            {
                // The limit passed: whatever was read, the process is gone.
                DiscardProcess();
                return new Unknown(Unknown.TimeoutReason);
            }

            if (failed)
            {
                // Not Z3's own "unknown" but a failure: start afresh next time.
                DiscardProcess();
            }
            else if (result is Unknown && _options.SoftTimeout && _options.TimeProvider.GetElapsedTime(started) >= limit * 0.85)
            {
                // Stopped by its own timeout (90% of the limit); z3 4.8.12 sometimes names the theory it gave up in instead.
                result = new Unknown(Unknown.TimeoutReason);
            }

            return result;
        }
    }

    /// <summary>Ends the Z3 process.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            if (_process is { } process)
            {
                try
                {
                    process.StandardInput.WriteLine("(exit)");
                    process.StandardInput.Flush();
                    if (!process.WaitForExit(TimeSpan.FromMilliseconds(200)))
                    {
                        Kill(process);
                    }
                }
                catch (IOException)
                {
                    Kill(process);
                }

                DiscardProcess();
            }
        }
    }

    private SmtResult Run(Process process, IReadOnlyList<Term> assertions, IReadOnlyList<Variable> free, TimeSpan limit, out bool failed)
    {
        failed = false;
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < free.Count; i++)
        {
            names.Add(free[i].Name, "v" + i.ToString(CultureInfo.InvariantCulture));
        }

        var script = new StringBuilder();
        if (++_checksSinceReset > Z3InProcessBackend.ChecksPerReset)
        {
            // As in-process: z3 keeps some memory per push/pop; (reset) also drops the options, which are sent again.
            script.Append("(reset)\n").Append(_startOptions);
            _checksSinceReset = 1;
            _softTimeoutMilliseconds = -1;
        }

        var soft = Math.Clamp((long)(limit.TotalMilliseconds * 0.9), 1, uint.MaxValue - 1);
        if (_options.SoftTimeout && soft != _softTimeoutMilliseconds)
        {
            script.Append(CultureInfo.InvariantCulture, $"(set-option :timeout {soft})\n");
            _softTimeoutMilliseconds = soft;
        }

        script.Append("(push 1)\n");
        foreach (var variable in free)
        {
            if (variable.IsFunction)
            {
                script.Append("(declare-fun ").Append(names[variable.Name]).Append(" (")
                    .AppendJoin(' ', variable.Domain.Select(SmtLibWriter.SortName)).Append(") ")
                    .Append(SmtLibWriter.SortName(variable.Sort)).Append(")\n");
            }
            else
            {
                script.Append("(declare-const ").Append(names[variable.Name]).Append(' ').Append(SmtLibWriter.SortName(variable.Sort)).Append(")\n");
            }
        }

        // Nonlinear real queries go to Z3's nlsat tactic first (see NonlinearRealQuery), in a scope of their own (the
        // constants that stand for function applications are declared there), then, if it gives up with time left, to
        // the solver's own check of the query.
        var started = _options.TimeProvider.GetTimestamp();
        if (NonlinearRealQuery.Prepare(assertions) is { } prepared)
        {
            script.Append("(push 1)\n");
            foreach (var constant in Terms.FreeVariables(prepared).Where(v => !names.ContainsKey(v.Name)).ToList())
            {
                names.Add(constant.Name, "v" + names.Count.ToString(CultureInfo.InvariantCulture));
                script.Append("(declare-const ").Append(names[constant.Name]).Append(' ').Append(SmtLibWriter.SortName(constant.Sort)).Append(")\n");
            }

            AppendAssertions(script, prepared, names);
            script.Append("(check-sat-using ").Append(NonlinearRealQuery.Tactic).Append(")\n");
            Send(process, script.ToString());
            script.Clear();
            var tactic = ReadResponse(process);
            SmtResult? decided = tactic switch
            {
                // The model is the inner scope's: read before it is popped.
                "sat" => new Sat(ReadModel(process, [.. free.Where(static v => !v.IsFunction)], names)),
                "unsat" => Unsat.Instance,
                "unknown" when _options.TimeProvider.GetElapsedTime(started) >= limit * 0.85 => new Unknown(Unknown.TimeoutReason),
                "unknown" => null,
                _ => new Unknown("z3 error: " + Describe(tactic)),
            };
            if (decided is not null)
            {
                failed = tactic is not ("sat" or "unsat" or "unknown");
                Send(process, "(pop 1)\n(pop 1)\n");
                return decided;
            }

            script.Append("(pop 1)\n");
        }

        AppendAssertions(script, assertions, names);
        script.Append("(check-sat)\n");
        Send(process, script.ToString());
        var answer = ReadResponse(process);

        SmtResult result;
        switch (answer)
        {
            case "unsat":
                result = Unsat.Instance;
                break;
            case "sat":
                // Function symbols have no value to report (a model's interpretation of one is not a counterexample's value).
                result = new Sat(ReadModel(process, [.. free.Where(static v => !v.IsFunction)], names));
                break;
            case "unknown":
                Send(process, "(get-info :reason-unknown)\n");
                result = new Unknown(ReadReason(ReadResponse(process)));
                break;
            default:
                failed = true;
                return new Unknown("z3 error: " + Describe(answer));
        }

        Send(process, "(pop 1)\n");
        return result;
    }

    private static void AppendAssertions(StringBuilder script, IReadOnlyList<Term> assertions, Dictionary<string, string> names)
    {
        foreach (var assertion in assertions)
        {
            script.Append("(assert ").Append(SmtLibWriter.Write(assertion, v => names[v.Name])).Append(")\n");
        }
    }

    private static ImmutableSortedDictionary<string, string> ReadModel(Process process, IReadOnlyList<Variable> free, Dictionary<string, string> names)
    {
        var model = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        if (free.Count == 0)
        {
            return model.ToImmutable();
        }

        Send(process, "(get-value (" + string.Join(' ', free.Select(v => names[v.Name])) + "))\n");
        var response = ReadResponse(process);
        SExpression parsed;
        try
        {
            parsed = SExpression.Parse(response);
        }
        catch (FormatException e)
        {
            throw new IOException("unexpected response to get-value: " + e.Message, e);
        }

        if (parsed.Items is not { } pairs || pairs.Count != free.Count)
        {
            throw new IOException("unexpected response to get-value: " + response);
        }

        for (var i = 0; i < free.Count; i++)
        {
            if (pairs[i].Items is not [var name, var value] || name.Atom != names[free[i].Name])
            {
                throw new IOException("unexpected response to get-value: " + response);
            }

            model[free[i].Name] = SmtValues.Normalize(value.ToString());
        }

        return model.ToImmutable();
    }

    private static string ReadReason(string response)
    {
        try
        {
            if (SExpression.Parse(response).Items is [{ Atom: ":reason-unknown" }, var reason])
            {
                return Z3InProcessBackend.NormalizeReason(reason.StringValue() ?? reason.ToString());
            }
        }
        catch (FormatException)
        {
        }

        return Z3InProcessBackend.NormalizeReason(response);
    }

    private static void Send(Process process, string text)
    {
        process.StandardInput.Write(text);
        process.StandardInput.Flush();
    }

    /// <summary>One response: a line, or the lines of one balanced s-expression.</summary>
    private static string ReadResponse(Process process)
    {
        var line = process.StandardOutput.ReadLine() ?? throw new IOException("the z3 process ended");
        var depth = SExpression.Balance(line);
        if (depth <= 0)
        {
            return line.Trim();
        }

        var text = new StringBuilder(line);
        while (depth > 0)
        {
            var next = process.StandardOutput.ReadLine() ?? throw new IOException("the z3 process ended");
            text.Append('\n').Append(next);
            depth += SExpression.Balance(next);
        }

        return text.ToString().Trim();
    }

    private static string Describe(string answer)
    {
        try
        {
            if (SExpression.Parse(answer).Items is [{ Atom: "error" }, var message])
            {
                return message.StringValue() ?? message.ToString();
            }
        }
        catch (FormatException)
        {
        }

        return "unexpected response: " + answer;
    }

    private string StderrTail()
    {
        lock (_stderr)
        {
            return _stderr.Count == 0 ? string.Empty : " (stderr: " + string.Join(" | ", _stderr) + ")";
        }
    }

    private void Start()
    {
        var start = new ProcessStartInfo(_options.ExecutablePath)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardInputEncoding = new UTF8Encoding(false),
            StandardOutputEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add("-in");
        start.ArgumentList.Add("-smt2");
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"the Z3 executable '{_options.ExecutablePath}' could not be started");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"the Z3 executable '{_options.ExecutablePath}' could not be started ({e.Message}); on Debian: apt-get install z3", e);
        }

        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (_stderr)
            {
                _stderr.Enqueue(e.Data);
                while (_stderr.Count > 20)
                {
                    _stderr.Dequeue();
                }
            }
        };
        process.BeginErrorReadLine();
        _process = process;
        _softTimeoutMilliseconds = -1;
        _checksSinceReset = 0;
        Starts++;
        try
        {
            Send(process, _startOptions);
        }
        catch (IOException)
        {
            // The process ended at once (a broken pipe, depending on timing): the next check finds it gone and
            // reports the failure as an Unknown result.
        }
    }

    private void DiscardProcess()
    {
        if (_process is not { } process)
        {
            return;
        }

        _process = null;
        Kill(process);
        try
        {
            process.WaitForExit(TimeSpan.FromSeconds(5));
        }
        catch (InvalidOperationException)
        {
        }

        process.Dispose();
    }

    private static bool HasExited(Process process)
    {
        try
        {
            return process.HasExited;
        }
        catch (InvalidOperationException)
        {
            return true;
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill();
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
        catch (Win32Exception)
        {
            // Exiting.
        }
    }
}
