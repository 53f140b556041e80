// One line per public (or protected) type and member of an assembly, in a stable text form: the shape a
// caller compiled against them depends on (kind, assembly, base class, access, static, abstract/virtual,
// sealed, generic arity, the types of returns and parameters). Used by the generator over the real
// nopCommerce assemblies (read with MetadataLoadContext, never executed) and by the facade test over the
// facade's assemblies (reflection), so both sides are formatted by the same code. Nullability
// annotations and default parameter values are not part of it.
using System.Reflection;

namespace KashFlow.FacadeApi;

public static class ApiFormat
{
    private const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance |
                                          BindingFlags.Static | BindingFlags.DeclaredOnly;

    /// <summary>Public types, and nested types a derived class or a caller can see.</summary>
    public static bool IsVisible(Type t) =>
        t.IsPublic || (t.IsNested && (t.IsNestedPublic || t.IsNestedFamily || t.IsNestedFamORAssem) && IsVisible(t.DeclaringType!));

    /// <summary>"type {assembly} {kind} {name}[ : {base}]" and then one line per visible member, "{type name} | {member}".</summary>
    public static IEnumerable<string> Lines(Type t)
    {
        yield return TypeLine(t);
        foreach (var member in Members(t))
            yield return $"{Name(t)} | {member}";
    }

    /// <summary>"{type name} | implements {interface}", one per interface the type has (inherited ones too).</summary>
    public static IEnumerable<string> InterfaceLines(Type t) =>
        t.GetInterfaces().Select(i => $"{Name(t)} | implements {Name(i)}").Order(StringComparer.Ordinal);

    public static string TypeLine(Type t)
    {
        var baseType = t.BaseType is { } b && !t.IsInterface && !t.IsEnum && !t.IsValueType && !IsDelegate(t)
                       && b.FullName != "System.Object" ? " : " + Name(b) : "";
        return $"type {t.Assembly.GetName().Name} {Kind(t)} {Name(t)}{baseType}";
    }

    public static IEnumerable<string> Members(Type t)
    {
        var lines = new List<string>();
        if (IsDelegate(t))
        {
            var invoke = t.GetMethod("Invoke")!;
            lines.Add($"delegate {Name(invoke.ReturnType)} Invoke({Parameters(invoke)})");
            return lines;
        }
        foreach (var c in t.GetConstructors(Declared))
            if (Visible(c))
                lines.Add($"{Access(c)} {(c.IsStatic ? "static " : "")}ctor({Parameters(c)})");
        foreach (var m in t.GetMethods(Declared))
            if (Visible(m) && !m.IsSpecialName || Visible(m) && m.Name.StartsWith("op_", StringComparison.Ordinal))
                lines.Add($"{Access(m)} {Modifiers(m, t)}method {Name(m.ReturnType)} {m.Name}{GenericArity(m)}({Parameters(m)})");
        foreach (var p in t.GetProperties(Declared))
        {
            var get = p.GetMethod is { } g && Visible(g) ? g : null;
            var set = p.SetMethod is { } s && Visible(s) ? s : null;
            if (get is null && set is null)
                continue;
            var any = get ?? set!;
            var index = p.GetIndexParameters() is { Length: > 0 } ip ? "[" + string.Join(", ", ip.Select(x => Name(x.ParameterType))) + "]" : "";
            var accessors = (get is null ? "" : $"{AccessorAccess(get, any)}get; ") +
                            (set is null ? "" : $"{AccessorAccess(set, any)}{(IsInit(set) ? "init" : "set")}; ");
            lines.Add($"{Access(MostVisible(get, set))} {Modifiers(any, t)}property {Name(p.PropertyType)} {p.Name}{index} {{ {accessors}}}");
        }
        foreach (var f in t.GetFields(Declared))
        {
            if (f.IsSpecialName || !(f.IsPublic || f.IsFamily || f.IsFamilyOrAssembly))
                continue;
            var kind = f.IsLiteral ? "const " : (f.IsStatic ? "static " : "") + (f.IsInitOnly ? "readonly " : "");
            lines.Add($"{Access(f)} {kind}field {Name(f.FieldType)} {f.Name}");
        }
        foreach (var e in t.GetEvents(Declared))
            if (e.AddMethod is { } add && Visible(add))
                lines.Add($"{Access(add)} {Modifiers(add, t)}event {Name(e.EventHandlerType!)} {e.Name}");
        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    /// <summary>Namespace-qualified, generic arguments in angle brackets, nested types after '+'.</summary>
    public static string Name(Type t)
    {
        if (t.IsGenericParameter)
            return t.Name;
        if (t.IsByRef)
            return Name(t.GetElementType()!) + "&";
        if (t.IsPointer)
            return Name(t.GetElementType()!) + "*";
        if (t.IsArray)
            return Name(t.GetElementType()!) + "[" + new string(',', t.GetArrayRank() - 1) + "]";
        var name = t.Name;
        var tick = name.IndexOf('`');
        if (tick >= 0)
            name = name[..tick];
        var outer = t.IsNested ? Name(t.DeclaringType!) + "+" : string.IsNullOrEmpty(t.Namespace) ? "" : t.Namespace + ".";
        if (!t.IsGenericType)
            return outer + name;
        // a nested type's own arguments only (the outer type's come first in GetGenericArguments)
        var all = t.GetGenericArguments();
        var inherited = t.IsNested ? t.DeclaringType!.GetGenericArguments().Length : 0;
        var own = all.Skip(inherited).ToArray();
        return own.Length == 0 ? outer + name : outer + name + "<" + string.Join(", ", own.Select(Name)) + ">";
    }

    private static bool IsDelegate(Type t) => t.BaseType?.FullName == "System.MulticastDelegate";

    private static string Kind(Type t) => t switch
    {
        { IsInterface: true } => "interface",
        { IsEnum: true } => "enum",
        { IsValueType: true } => "struct",
        _ when IsDelegate(t) => "delegate",
        { IsAbstract: true, IsSealed: true } => "static class",
        { IsAbstract: true } => "abstract class",
        { IsSealed: true } => "sealed class",
        _ => "class",
    };

    private static bool Visible(MethodBase m) => m.IsPublic || m.IsFamily || m.IsFamilyOrAssembly;

    private static string Access(MethodBase m) => m.IsPublic ? "public" : "protected";

    private static string Access(FieldInfo f) => f.IsPublic ? "public" : "protected";

    private static MethodBase MostVisible(MethodInfo? a, MethodInfo? b) => a is { IsPublic: true } || b is null ? a! : b;

    private static string AccessorAccess(MethodInfo accessor, MethodInfo property) =>
        accessor.IsPublic == MostVisible(property, accessor).IsPublic && accessor.IsPublic ? "" : accessor.IsPublic ? "" : "protected ";

    private static string Modifiers(MethodInfo m, Type owner)
    {
        if (m.IsStatic)
            return m.IsAbstract ? "static abstract " : "static ";
        if (owner.IsInterface)
            return m.IsAbstract ? "" : "default ";
        if (m.IsAbstract)
            return "abstract ";
        // a new virtual slot is "virtual", a reused one an override (MetadataLoadContext has no GetBaseDefinition)
        var newSlot = (m.Attributes & MethodAttributes.VtableLayoutMask) == MethodAttributes.NewSlot;
        if (m.IsVirtual && !m.IsFinal)
            return newSlot ? "virtual " : "override ";
        return m.IsVirtual && !newSlot ? "sealed override " : "";
    }

    private static string GenericArity(MethodInfo m) =>
        m.IsGenericMethodDefinition ? "<" + string.Join(", ", m.GetGenericArguments().Select(a => a.Name)) + ">" : "";

    private static string Parameters(MethodBase m) =>
        string.Join(", ", m.GetParameters().Select(p => (p.IsOut && p.ParameterType.IsByRef ? "out " : "") + Name(p.ParameterType)));

    private static bool IsInit(MethodInfo setter) =>
        setter.ReturnParameter.GetRequiredCustomModifiers().Any(m => m.FullName == "System.Runtime.CompilerServices.IsExternalInit");
}
