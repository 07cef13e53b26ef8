using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace Netloop.Tests.Architecture;

/// <summary>
/// Which of an assembly's own types each of its types uses, read from the compiled metadata and IL: base types,
/// interfaces, field, method, property and local signatures, generic constraints, and every type, method or field token in
/// a method body (so <c>new</c>, calls, casts and field reads count, lambdas and state machines included: they are nested
/// in the type that wrote them). XML doc references and <c>nameof</c> leave nothing in IL and are not counted.
/// </summary>
internal sealed class TypeReferenceGraph
{
    private static readonly Dictionary<ushort, OperandType> s_operands = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(op => (ushort)op.Value, op => op.OperandType);

    private readonly MetadataReader _reader;
    private readonly PEReader _pe;

    private TypeReferenceGraph(PEReader pe)
    {
        _pe = pe;
        _reader = pe.GetMetadataReader();
    }

    /// <summary>Every (user, used) pair of top-level type full names, user != used.</summary>
    public static IReadOnlyList<(string User, string Used)> Read(string assemblyPath)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        return new TypeReferenceGraph(pe).Edges();
    }

    private List<(string, string)> Edges()
    {
        var edges = new HashSet<(string, string)>();
        foreach (var handle in _reader.TypeDefinitions)
        {
            string user = OuterName(handle);
            if (user == "<Module>") continue;
            var used = new HashSet<TypeDefinitionHandle>();
            Collect(handle, used);
            foreach (var target in used)
            {
                string name = OuterName(target);
                if (name != user && name != "<Module>") edges.Add((user, name));
            }
        }
        return edges.OrderBy(e => e).ToList();
    }

    private void Collect(TypeDefinitionHandle handle, HashSet<TypeDefinitionHandle> used)
    {
        var provider = new Collector(used);
        var type = _reader.GetTypeDefinition(handle);
        Entity(type.BaseType, used, provider);
        foreach (var i in type.GetInterfaceImplementations()) Entity(_reader.GetInterfaceImplementation(i).Interface, used, provider);
        foreach (var g in type.GetGenericParameters()) Constraints(g, used, provider);
        foreach (var f in type.GetFields()) _reader.GetFieldDefinition(f).DecodeSignature(provider, null);
        foreach (var p in type.GetProperties()) _reader.GetPropertyDefinition(p).DecodeSignature(provider, null);
        foreach (var m in type.GetMethods())
        {
            var method = _reader.GetMethodDefinition(m);
            method.DecodeSignature(provider, null);
            foreach (var g in method.GetGenericParameters()) Constraints(g, used, provider);
            if (method.RelativeVirtualAddress == 0) continue;
            var body = _pe.GetMethodBody(method.RelativeVirtualAddress);
            if (!body.LocalSignature.IsNil) _reader.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(provider, null);
            foreach (var token in Tokens(body.GetILBytes()!)) Entity(MetadataTokens.EntityHandle(token), used, provider);
        }
    }

    private void Constraints(GenericParameterHandle handle, HashSet<TypeDefinitionHandle> used, Collector provider)
    {
        foreach (var c in _reader.GetGenericParameter(handle).GetConstraints()) Entity(_reader.GetGenericParameterConstraint(c).Type, used, provider);
    }

    private void Entity(EntityHandle handle, HashSet<TypeDefinitionHandle> used, Collector provider)
    {
        if (handle.IsNil) return;
        switch (handle.Kind)
        {
            case HandleKind.TypeDefinition:
                used.Add((TypeDefinitionHandle)handle);
                break;
            case HandleKind.TypeSpecification:
                _reader.GetTypeSpecification((TypeSpecificationHandle)handle).DecodeSignature(provider, null);
                break;
            case HandleKind.MethodDefinition:
                used.Add(_reader.GetMethodDefinition((MethodDefinitionHandle)handle).GetDeclaringType());
                break;
            case HandleKind.FieldDefinition:
                used.Add(_reader.GetFieldDefinition((FieldDefinitionHandle)handle).GetDeclaringType());
                break;
            case HandleKind.MemberReference:
                var member = _reader.GetMemberReference((MemberReferenceHandle)handle);
                Entity(member.Parent, used, provider);
                if (member.GetKind() == MemberReferenceKind.Method) member.DecodeMethodSignature(provider, null);
                else member.DecodeFieldSignature(provider, null);
                break;
            case HandleKind.MethodSpecification:
                var spec = _reader.GetMethodSpecification((MethodSpecificationHandle)handle);
                Entity(spec.Method, used, provider);
                spec.DecodeSignature(provider, null);
                break;
        }
    }

    /// <summary>The metadata tokens a method body's instructions carry (types, methods, fields; not strings or call-site signatures).</summary>
    private static IEnumerable<int> Tokens(byte[] il)
    {
        int i = 0;
        while (i < il.Length)
        {
            ushort code = il[i++];
            if (code == 0xFE) code = (ushort)(0xFE00 | il[i++]);
            var operand = s_operands[code];
            switch (operand)
            {
                case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineTok or OperandType.InlineType:
                    yield return BitConverter.ToInt32(il, i);
                    i += 4;
                    break;
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    i += 1;
                    break;
                case OperandType.InlineVar:
                    i += 2;
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    i += 8;
                    break;
                case OperandType.InlineSwitch:
                    int count = BitConverter.ToInt32(il, i);
                    i += 4 + 4 * count;
                    break;
                default: // InlineBrTarget, InlineI, InlineSig, InlineString, ShortInlineR
                    i += 4;
                    break;
            }
        }
    }

    private string OuterName(TypeDefinitionHandle handle)
    {
        var type = _reader.GetTypeDefinition(handle);
        while (type.IsNested) type = _reader.GetTypeDefinition(type.GetDeclaringType());
        string ns = _reader.GetString(type.Namespace);
        string name = _reader.GetString(type.Name);
        return ns.Length == 0 ? name : $"{ns}.{name}";
    }

    /// <summary>Decodes signatures only for their side effect: every type definition met goes into the set.</summary>
    private sealed class Collector(HashSet<TypeDefinitionHandle> used) : ISignatureTypeProvider<object?, object?>
    {
        public object? GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind)
        {
            used.Add(handle);
            return null;
        }

        public object? GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) => null;
        public object? GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) =>
            reader.GetTypeSpecification(handle).DecodeSignature(this, genericContext);
        public object? GetPrimitiveType(PrimitiveTypeCode typeCode) => null;
        public object? GetSZArrayType(object? elementType) => null;
        public object? GetArrayType(object? elementType, ArrayShape shape) => null;
        public object? GetByReferenceType(object? elementType) => null;
        public object? GetPointerType(object? elementType) => null;
        public object? GetPinnedType(object? elementType) => null;
        public object? GetGenericInstantiation(object? genericType, ImmutableArray<object?> typeArguments) => null;
        public object? GetGenericMethodParameter(object? genericContext, int index) => null;
        public object? GetGenericTypeParameter(object? genericContext, int index) => null;
        public object? GetFunctionPointerType(MethodSignature<object?> signature) => null;
        public object? GetModifiedType(object? modifier, object? unmodifiedType, bool isRequired) => null;
    }
}
