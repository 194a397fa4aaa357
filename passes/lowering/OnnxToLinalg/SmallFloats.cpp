//===- SmallFloats.cpp - float8 / float4 conversions as integer code ------===//
//
// LLVM has no float8 or float4 types, so casts to and from them are
// integer code on the bits: float32 -> small float rounds to nearest even,
// saturating to the largest finite value (or giving Inf/NaN as the format
// has them when saturate = 0); small float -> float32 is exact. The
// formats: float8 E4M3FN (no Inf, NaN S.1111.111), E4M3FNUZ and E5M2FNUZ
// (no Inf, no -0, NaN 0x80), E5M2 (IEEE-like), float4 E2M1 (no Inf/NaN),
// float8 E8M0 (an exponent, rounded per the Cast's round_mode).
//
//===----------------------------------------------------------------------===//

#include "passes/lowering/OnnxToLinalg/Patterns.h"

using namespace mlir;
using namespace mcc;
using namespace mcc::lowering;

namespace {

struct Format {
  unsigned exp, mant; // bit counts
  int bias;
  unsigned maxCode;  // largest finite magnitude, as bits without the sign
  bool hasInf;       // E5M2: all-ones exponent with zero mantissa
  bool nanIsNegZero; // FNUZ: NaN is 0x80 and there is no -0
  bool hasNan;
};

std::optional<Format> formatOf(Type t) {
  if (isa<Float8E4M3FNType>(t))
    return Format{4, 3, 7, 0x7E, false, false, true};
  if (isa<Float8E4M3FNUZType>(t))
    return Format{4, 3, 8, 0x7F, false, true, true};
  if (isa<Float8E5M2Type>(t))
    return Format{5, 2, 15, 0x7B, true, false, true};
  if (isa<Float8E5M2FNUZType>(t))
    return Format{5, 2, 16, 0x7F, false, true, true};
  if (isa<Float4E2M1FNType>(t))
    return Format{2, 1, 1, 0x7, false, false, false};
  return std::nullopt;
}

} // namespace

bool lowering::isSmallFloat(Type t) {
  return formatOf(t).has_value() || isa<Float8E8M0FNUType>(t);
}

/// float8 E8M0 (an exponent only, 2^(e - 127); 0xFF is NaN) from float32:
/// the float32 exponent rounded by `roundMode` (up, down, nearest) and
/// kept below 0xFF when saturating, as the ONNX reference computes it.
static Value encodeE8M0(OpBuilder &b, Location loc, Value x, Type to,
                        bool saturate, StringRef roundMode) {
  Type i32 = b.getI32Type();
  auto c = [&](int64_t v) -> Value {
    return arith::ConstantIntOp::create(b, loc, i32, v);
  };
  auto ne0 = [&](Value v, int64_t mask) -> Value {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne,
                                 arith::AndIOp::create(b, loc, v, c(mask)),
                                 c(0));
  };
  using P = arith::CmpIPredicate;
  Value u =
      arith::BitcastOp::create(b, loc, i32, toFloat(b, loc, x, b.getF32Type()));
  Value e = arith::AndIOp::create(
      b, loc, arith::ShRUIOp::create(b, loc, u, c(23)), c(0xff));
  Value special = arith::CmpIOp::create(b, loc, P::eq, e, c(0xff));
  Value up = arith::ConstantIntOp::create(b, loc, 0, 1);
  if (roundMode == "up") {
    up = ne0(u, 0x7fffff);
  } else if (roundMode == "nearest") {
    Value lsb = arith::CmpIOp::create(b, loc, P::ugt, e, c(0));
    Value rest = arith::OrIOp::create(
        b, loc,
        arith::OrIOp::create(b, loc, ne0(u, 0x200000), ne0(u, 0x1fffff)), lsb);
    up = arith::AndIOp::create(b, loc, ne0(u, 0x400000), rest);
  }
  if (saturate)
    up = arith::AndIOp::create(
        b, loc, up, arith::CmpIOp::create(b, loc, P::ne, e, c(0xfe)));
  Value r =
      arith::AddIOp::create(b, loc, e, arith::ExtUIOp::create(b, loc, i32, up));
  r = arith::SelectOp::create(b, loc, special, c(0xff), r);
  Value narrow = arith::TruncIOp::create(b, loc, b.getI8Type(), r);
  return arith::BitcastOp::create(b, loc, to, narrow);
}

static Value decodeE8M0(OpBuilder &b, Location loc, Value v) {
  Type i32 = b.getI32Type();
  auto c = [&](int64_t x) -> Value {
    return arith::ConstantIntOp::create(b, loc, i32, x);
  };
  Value e = arith::ExtUIOp::create(
      b, loc, i32, arith::BitcastOp::create(b, loc, b.getI8Type(), v));
  // e = 0 is 2^-127, a float32 subnormal.
  Value bits = arith::SelectOp::create(
      b, loc, arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, e, c(0)),
      c(0x400000), arith::ShLIOp::create(b, loc, e, c(23)));
  bits = arith::SelectOp::create(
      b, loc,
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, e, c(0xff)),
      c(0x7fc00000), bits);
  return arith::BitcastOp::create(b, loc, b.getF32Type(), bits);
}

Value lowering::encodeSmallFloat(OpBuilder &b, Location loc, Value x, Type to,
                                 bool saturate, StringRef roundMode) {
  if (isa<Float8E8M0FNUType>(to))
    return encodeE8M0(b, loc, x, to, saturate, roundMode);
  Format f = *formatOf(to);
  Type i32 = b.getI32Type();
  auto c = [&](int64_t v) -> Value {
    return arith::ConstantIntOp::create(b, loc, i32, v);
  };
  auto cmp = [&](arith::CmpIPredicate p, Value l, Value r) -> Value {
    return arith::CmpIOp::create(b, loc, p, l, r);
  };
  auto sel = [&](Value cond, Value t, Value e) -> Value {
    return arith::SelectOp::create(b, loc, cond, t, e);
  };
  using P = arith::CmpIPredicate;
  x = toFloat(b, loc, x, b.getF32Type());
  Value u = arith::BitcastOp::create(b, loc, i32, x);
  Value a = arith::AndIOp::create(b, loc, u, c(0x7fffffff));
  unsigned width = 1 + f.exp + f.mant;
  Value sign = arith::ShLIOp::create(
      b, loc, arith::ShRUIOp::create(b, loc, u, c(31)), c(width - 1));
  Value exp32 = arith::ShRUIOp::create(b, loc, a, c(23));
  Value mant = arith::AndIOp::create(b, loc, a, c(0x7fffff));
  Value e = arith::AddIOp::create(b, loc, exp32, c(f.bias - 127));
  // Normal in the target: keep `mant` bits of the mantissa; subnormal:
  // shift the implicit one in, further right the smaller the exponent.
  Value normal = cmp(P::sgt, e, c(0));
  Value m = sel(normal, mant, arith::OrIOp::create(b, loc, mant, c(1 << 23)));
  Value shift = sel(normal, c(23 - f.mant),
                    arith::SubIOp::create(b, loc, c(23 - f.mant + 1), e));
  shift = arith::MinSIOp::create(b, loc, shift, c(31));
  Value eField = sel(normal, arith::ShLIOp::create(b, loc, e, c(f.mant)), c(0));
  Value r = arith::AddIOp::create(b, loc, eField,
                                  arith::ShRUIOp::create(b, loc, m, shift));
  Value one = c(1);
  Value rem = arith::AndIOp::create(
      b, loc, m,
      arith::SubIOp::create(b, loc, arith::ShLIOp::create(b, loc, one, shift),
                            one));
  Value half = arith::ShLIOp::create(b, loc, one,
                                     arith::SubIOp::create(b, loc, shift, one));
  Value odd = cmp(P::ne, arith::AndIOp::create(b, loc, r, one), c(0));
  Value up = arith::OrIOp::create(
      b, loc, cmp(P::ugt, rem, half),
      arith::AndIOp::create(b, loc, cmp(P::eq, rem, half), odd));
  r = sel(up, arith::AddIOp::create(b, loc, r, one), r);
  // Tiny values round to zero; the carry of rounding may reach the next
  // exponent, which is right.
  r = sel(cmp(P::slt, e, c(-int(f.mant) - 1)), c(0), r);
  // Too large (Inf included): the largest finite value when saturating.
  Value overflow = cmp(P::ugt, r, c(f.maxCode));
  uint32_t nanBits =
      f.nanIsNegZero ? (1u << (width - 1)) : ((1u << (width - 1)) - 1);
  Value big = saturate || !f.hasNan ? c(f.maxCode)
              : f.hasInf            ? c(((1u << f.exp) - 1) << f.mant)
                                    : c(nanBits);
  r = sel(overflow, big, r);
  Value bits = arith::OrIOp::create(b, loc, sign, r);
  if (f.nanIsNegZero) // no -0: a zero is +0 (and the NaN code is not signed)
    bits = sel(cmp(P::eq, r, c(0)), c(0), bits);
  if (!saturate && f.nanIsNegZero)
    bits = sel(overflow, c(nanBits), bits);
  // NaN in: the format's NaN (float4 has none: -0, as the reference does).
  Value isNan = cmp(P::ugt, a, c(0x7f800000));
  bits = sel(isNan, c(f.hasNan ? nanBits : (1u << (width - 1))), bits);
  Value narrow = arith::TruncIOp::create(b, loc, b.getIntegerType(width), bits);
  return arith::BitcastOp::create(b, loc, to, narrow);
}

Value lowering::decodeSmallFloat(OpBuilder &b, Location loc, Value v) {
  if (isa<Float8E8M0FNUType>(v.getType()))
    return decodeE8M0(b, loc, v);
  Format f = *formatOf(v.getType());
  unsigned width = 1 + f.exp + f.mant;
  Type i32 = b.getI32Type(), f32 = b.getF32Type();
  auto c = [&](int64_t x) -> Value {
    return arith::ConstantIntOp::create(b, loc, i32, x);
  };
  auto cmp = [&](arith::CmpIPredicate p, Value l, Value r) -> Value {
    return arith::CmpIOp::create(b, loc, p, l, r);
  };
  using P = arith::CmpIPredicate;
  Value bits = arith::ExtUIOp::create(
      b, loc, i32,
      arith::BitcastOp::create(b, loc, b.getIntegerType(width), v));
  Value sign = arith::ShRUIOp::create(b, loc, bits, c(width - 1));
  Value e = arith::AndIOp::create(
      b, loc, arith::ShRUIOp::create(b, loc, bits, c(f.mant)),
      c((1 << f.exp) - 1));
  Value m = arith::AndIOp::create(b, loc, bits, c((1 << f.mant) - 1));
  // Normal: the float32 bits directly; subnormal: m * 2^(1 - bias - mant).
  Value normalBits = arith::OrIOp::create(
      b, loc,
      arith::ShLIOp::create(
          b, loc, arith::AddIOp::create(b, loc, e, c(127 - f.bias)), c(23)),
      arith::ShLIOp::create(b, loc, m, c(23 - f.mant)));
  Value normal = arith::BitcastOp::create(b, loc, f32, normalBits);
  Value sub = arith::MulFOp::create(
      b, loc, arith::UIToFPOp::create(b, loc, f32, m),
      arith::ConstantFloatOp::create(
          b, loc, cast<FloatType>(f32),
          APFloat(std::ldexp(1.0f, 1 - f.bias - int(f.mant)))));
  Value mag = arith::SelectOp::create(b, loc, cmp(P::eq, e, c(0)), sub, normal);
  double inf = std::numeric_limits<double>::infinity();
  auto fc = [&](double x) -> Value {
    return arith::ConstantFloatOp::create(b, loc, cast<FloatType>(f32),
                                          APFloat(float(x)));
  };
  unsigned allOnes = (1u << f.exp) - 1;
  if (f.hasInf) { // E5M2: all-ones exponent is Inf (m = 0) or NaN
    Value special = cmp(P::eq, e, c(allOnes));
    mag = arith::SelectOp::create(
        b, loc, special,
        arith::SelectOp::create(b, loc, cmp(P::eq, m, c(0)), fc(inf),
                                fc(std::nan(""))),
        mag);
  } else if (f.hasNan && !f.nanIsNegZero) { // E4M3FN: S.1111.111
    Value nan = arith::AndIOp::create(b, loc, cmp(P::eq, e, c(allOnes)),
                                      cmp(P::eq, m, c((1 << f.mant) - 1)));
    mag = arith::SelectOp::create(b, loc, nan, fc(std::nan("")), mag);
  }
  Value neg = cmp(P::ne, sign, c(0));
  Value r = arith::SelectOp::create(b, loc, neg,
                                    arith::NegFOp::create(b, loc, mag), mag);
  if (f.nanIsNegZero) // 0x80 is NaN
    r = arith::SelectOp::create(b, loc, cmp(P::eq, bits, c(1 << (width - 1))),
                                fc(std::nan("")), r);
  return r;
}
